import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from './wait.js';

/** One partition as the cluster's metadata describes it. */
export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
  readonly replicas: number[];
  readonly isr: number[];
}

/**
 * Reads a multi-broker cluster's metadata with a fresh, short-lived admin client per call, so a
 * broker that was just killed never leaves a stale connection behind (what fault scenarios need).
 */
export class ClusterProbe {
  constructor(private readonly brokers: string) {}

  private async withAdmin<T>(fn: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    const admin = new Kafka({
      clientId: 'timeline-cluster-probe',
      brokers: this.brokers.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 5000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
    }).admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Every partition of `topics` (default: every topic, internal ones included). */
  partitions(topics?: string[]): Promise<PartitionState[]> {
    return this.withAdmin(async (admin) => {
      const names = topics ?? (await admin.listTopics());
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: names });
      return meta.flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })),
      );
    });
  }

  /** The partition of `topic` holding the most records (highest high watermark) and its leader. */
  async busiestPartition(topic: string): Promise<PartitionState & { highWatermark: number }> {
    const offsets = await this.withAdmin((admin) => admin.fetchTopicOffsets(topic));
    const busiest = [...offsets].sort((a, b) => Number(b.high) - Number(a.high))[0];
    if (!busiest) throw new Error(`topic ${topic} has no partitions`);
    const state = (await this.partitions([topic])).find((p) => p.partition === busiest.partition);
    if (!state) throw new Error(`no metadata for ${topic}-${busiest.partition}`);
    return { ...state, highWatermark: Number(busiest.high) };
  }

  /** Partitions (of every topic) with fewer in-sync replicas than replicas, or no leader. */
  async underReplicated(): Promise<PartitionState[]> {
    return (await this.partitions()).filter((p) => p.leader < 0 || p.isr.length < p.replicas.length);
  }

  /** Waits until `topic`-`partition` is led by a live broker other than `formerLeader`; returns the new leader. */
  async waitForNewLeader(topic: string, partition: number, formerLeader: number, timeoutMs = 60_000): Promise<number> {
    return waitFor(
      `a new leader of ${topic}-${partition} (was broker ${formerLeader})`,
      async () => {
        const p = (await this.partitions([topic])).find((s) => s.partition === partition);
        return p && p.leader >= 0 && p.leader !== formerLeader ? p.leader : undefined;
      },
      timeoutMs,
      100,
    );
  }

  /** Waits until no partition of any topic is under-replicated (every replica back in sync). */
  async waitForFullIsr(timeoutMs = 90_000): Promise<void> {
    let last: PartitionState[] = [];
    await waitFor(
      'every partition to have its full ISR',
      async () => {
        last = await this.underReplicated();
        return last.length === 0 ? true : undefined;
      },
      timeoutMs,
      200,
    ).catch((err: Error) => {
      const sample = last.slice(0, 5).map((p) => `${p.topic}-${p.partition} leader ${p.leader} isr [${p.isr}] of [${p.replicas}]`);
      throw new Error(`${err.message}; still under-replicated: ${sample.join('; ')}`);
    });
  }

  /** A topic's replication as created: replicas per partition and the config entries named. */
  async topicReplication(topic: string, names: string[]): Promise<{ replicas: number[]; config: Record<string, string> }> {
    return this.withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2 /* ConfigResourceTypes.TOPIC */, name: topic, configNames: names }],
      });
      const config = Object.fromEntries((described.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
      return { replicas: (topics[0]?.partitions ?? []).map((p) => p.replicas.length), config };
    });
  }
}
