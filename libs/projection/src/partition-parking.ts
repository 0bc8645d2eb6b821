import type { UndecodableBatch } from '@timeline/kafka';

/** A partition the projector stopped consuming at a record batch it cannot decode. */
export interface ParkedPartition extends UndecodableBatch {
  readonly topic: string;
  readonly partition: number;
  readonly since: string;
  /** The operator command that moves past it (printed in the log and on /health). */
  readonly remedy: string;
}

/**
 * The partitions parked at a batch that cannot be split into records (issue 11): an unknown codec, a
 * bad CRC, truncated bytes. Such a batch cannot be dead-lettered record by record and must not stop
 * the other partitions, so its partition is paused and reported — on `/health` (degraded), the
 * `timeline_projector_parked_partitions` gauge and an error log naming topic, partition, offsets,
 * the cause and the `cli skip` command — until the stored offset moves past it.
 */
export class PartitionParking {
  private readonly parked = new Map<string, ParkedPartition>();

  park(topic: string, partition: number, batch: UndecodableBatch, now = new Date()): ParkedPartition {
    const next = batch.lastOffset !== undefined ? (BigInt(batch.lastOffset) + 1n).toString() : '<the offset after the batch>';
    const p: ParkedPartition = {
      ...batch,
      topic,
      partition,
      since: now.toISOString(),
      remedy: `npm run cli -- skip --topic ${topic} --partition ${partition} --to-offset ${next} --reason "<why this batch may be skipped>"`,
    };
    this.parked.set(key(topic, partition), p);
    return p;
  }

  /** True when `partition` is parked and the stored offset has not yet moved past its bad batch. */
  isParked(topic: string, partition: number): boolean {
    return this.parked.has(key(topic, partition));
  }

  /** Unparks `partition` when `storedOffset` is past its bad batch; returns the entry it cleared. */
  releaseIfPast(topic: string, partition: number, storedOffset: string | undefined): ParkedPartition | undefined {
    const p = this.parked.get(key(topic, partition));
    if (!p || storedOffset === undefined || BigInt(storedOffset) <= BigInt(p.firstOffset)) return undefined;
    this.parked.delete(key(topic, partition));
    return p;
  }

  /** Forgets partitions this instance no longer owns (another instance parks them on its own). */
  retain(topic: string, assigned: readonly number[]): void {
    for (const [k, p] of this.parked) if (p.topic === topic && !assigned.includes(p.partition)) this.parked.delete(k);
  }

  list(): ParkedPartition[] {
    return [...this.parked.values()].sort((a, b) => a.partition - b.partition);
  }
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
