import type { DataSource } from 'typeorm';
import type { PartitionWatermarks } from '@timeline/projection';
import type { OffsetStore } from '@timeline/store';

/** Lag of one partition: messages in Kafka the active projection has not consumed yet. */
export interface PartitionLag {
  readonly partition: number;
  readonly highWatermark: string;
  /** Stored next offset; null when nothing was applied yet (counted from the log start). */
  readonly nextOffset: string | null;
  readonly lag: number;
}

/** Per-partition lag = high watermark − next offset stored in Postgres (not Kafka's committed offset). */
export class ProjectionLag {
  private cache: { at: number; value: Promise<{ projection: string; partitions: PartitionLag[]; total: number }> } | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly offsets: OffsetStore,
    private readonly watermarks: PartitionWatermarks,
    private readonly topic: string,
  ) {}

  /** Measures lag; results are shared for one second so /health and /metrics scrapes stay cheap. */
  measure(): Promise<{ projection: string; partitions: PartitionLag[]; total: number }> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < 1000) return this.cache.value;
    const value = this.compute();
    this.cache = { at: now, value };
    value.catch(() => (this.cache = undefined));
    return value;
  }

  private async compute(): Promise<{ projection: string; partitions: PartitionLag[]; total: number }> {
    const [marks, stored] = await Promise.all([this.watermarks.all(this.topic), this.offsets.positions(this.ds, this.topic)]);
    const partitions = marks
      .sort((a, b) => a.partition - b.partition)
      .map((w) => {
        const next = stored.offsets.get(w.partition) ?? null;
        const lag = Number(BigInt(w.high) - BigInt(next ?? w.low));
        return { partition: w.partition, highWatermark: w.high, nextOffset: next, lag: Math.max(0, lag) };
      });
    return { projection: stored.projection, partitions, total: partitions.reduce((s, p) => s + p.lag, 0) };
  }
}
