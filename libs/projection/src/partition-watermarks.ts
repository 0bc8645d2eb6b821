import type { Admin } from 'kafkajs';

/** Low/high watermarks of a topic's partitions, from the broker. */
export interface PartitionWatermark {
  readonly partition: number;
  /** First offset still in the log (log start offset). */
  readonly low: string;
  /** Offset the next produced message will get. */
  readonly high: string;
}

/** Reads partition watermarks through the Kafka admin client. */
export class PartitionWatermarks {
  constructor(private readonly admin: Admin) {}

  async all(topic: string): Promise<PartitionWatermark[]> {
    // A broker that just started or just moved a leader answers NOT_LEADER_OR_FOLLOWER until its
    // metadata settles, longer than kafkajs's own few retries on a busy machine (seen in CI): retried
    // here for a bounded time on retriable errors, so the caller sees the outage only if it lasts.
    for (let attempt = 0; ; attempt++) {
      try {
        const rows = await this.admin.fetchTopicOffsets(topic);
        return rows.map((r) => ({ partition: r.partition, low: r.low, high: r.high }));
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 250 + attempt * 100));
      }
    }
  }

  /**
   * Where a partition with no stored offset starts: the first offset still in the log. The events
   * topic keeps everything by default, so that is 0 unless retention was configured.
   */
  async low(topic: string, partition: number): Promise<string> {
    const w = (await this.all(topic)).find((x) => x.partition === partition);
    if (!w) throw new Error(`partition ${partition} of ${topic} is unknown to the broker`);
    return w.low;
  }
}
