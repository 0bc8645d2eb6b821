import type { DataSource, QueryRunner } from 'typeorm';
import type { PositionedEvent } from '../projection/positioned-event.js';
import { OffsetStore } from '../projection/offset-store.js';
import type { TimelineProjectionWriter } from '../projection/timeline-projection.writer.js';
import { applyIsolatingUnstorable } from '../projection/unstorable-isolation.js';
import type { SqlRunner } from './sql-runner.js';

/** Counts of what a rebuild applied, summed over batches. */
export interface RebuildCounts {
  /** Events read from the source (decodable or not). */
  read: number;
  /** Events that changed the version (created entries, corrections, retractions, resolved early corrections). */
  applied: number;
  /** Events the version already had (resume overlap, redelivery). */
  duplicates: number;
  /** Corrections/retractions waiting for their target. */
  deferred: number;
  /** Corrections that would make their target invalid (the live projector dead-lettered them too). */
  rejected: number;
  /** Messages the catalogue does not accept (poison: the live projector dead-lettered them). */
  undecodable: number;
  /** Events PostgreSQL refused (e.g. a date outside its range): skipped like the live projector does. */
  unstorable: number;
}

/** Zeroed {@link RebuildCounts}. */
export function emptyCounts(): RebuildCounts {
  return { read: 0, applied: 0, duplicates: 0, deferred: 0, rejected: 0, undecodable: 0, unstorable: 0 };
}

/** One bounded chunk of one partition, with the partition's offset after it. */
export interface VersionChunk {
  readonly topic: string;
  readonly partition: number;
  /** Decoded events, in offset order. */
  readonly events: readonly PositionedEvent[];
  /** Offset after the chunk (= last offset read + 1, whether or not that message decoded). */
  readonly nextOffset: string;
  /** Messages of the chunk that did not decode (counted only). */
  readonly undecodable?: number;
  /** Messages of the chunk in total (counted only). @default events.length + undecodable */
  readonly read?: number;
}

/**
 * Applies chunks to a projection version being built, each in ONE transaction with the version's
 * `projector_offsets` row — so a crash loses at most the chunk in flight, and a restart resumes from
 * the stored offset with nothing applied twice (the writer is idempotent besides).
 */
export class VersionBatchApplier {
  constructor(
    private readonly ds: DataSource,
    private readonly writer: TimelineProjectionWriter,
    private readonly offsets: OffsetStore = new OffsetStore(),
  ) {}

  /** Applies one chunk in a transaction of its own (archiving when `archive`); adds to `counts`. */
  async applyChunk(projection: string, chunk: VersionChunk, counts: RebuildCounts, archive: boolean): Promise<void> {
    const q = this.ds.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction('READ COMMITTED');
      try {
        await this.applyInTransaction(q, projection, chunk, counts, archive);
        await q.commitTransaction();
      } catch (err) {
        await q.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await q.release();
    }
  }

  /**
   * Applies one chunk inside the caller's transaction: takes the version's partition fence
   * ({@link OffsetStore.lockPartition}: advisory lock and offset row `FOR UPDATE`, as the live projector
   * does), skips messages below the stored offset (already applied by an earlier run), applies the
   * rest and stores `nextOffset`. Counts are added only for what this transaction did.
   */
  async applyInTransaction(
    q: QueryRunner,
    projection: string,
    chunk: VersionChunk,
    counts: RebuildCounts,
    archive: boolean,
  ): Promise<void> {
    const { topic, partition } = chunk;
    const locked = await this.offsets.lockPartition(q, projection, topic, partition);
    const stored = locked === null ? null : BigInt(locked);
    const next = BigInt(chunk.nextOffset);
    if (stored !== null && next <= stored) return;
    const fresh = stored === null ? chunk.events : chunk.events.filter((e) => BigInt(e.position.offset) >= stored);
    // Refused values are skipped, as the live projector dead-letters them (see applyIsolatingUnstorable).
    const { result, unstorable } = await applyIsolatingUnstorable(this.writer, q, projection, fresh, { archive });
    await this.offsets.save(q, projection, topic, partition, chunk.nextOffset);
    const undecodable = chunk.undecodable ?? 0;
    counts.read += chunk.read ?? chunk.events.length + undecodable;
    counts.undecodable += undecodable;
    counts.applied += result.applied.length + result.resolvedPending.length;
    counts.duplicates += result.duplicates.length;
    counts.deferred += result.deferred.length;
    counts.rejected += result.rejected.length;
    counts.unstorable += unstorable.length;
  }
}

/** Stored next offsets of `projection`, keyed by {@link offsetKey}. */
export async function readOffsets(q: SqlRunner, projection: string): Promise<Map<string, string>> {
  const rows = (await q.query(`SELECT topic, partition, next_offset::text AS next_offset FROM projector_offsets WHERE projection = $1`, [
    projection,
  ])) as { topic: string; partition: number; next_offset: string }[];
  return new Map(rows.map((r) => [offsetKey(r.topic, r.partition), r.next_offset]));
}

/** Map key of a (topic, partition). */
export function offsetKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Inverse of {@link offsetKey}. */
export function parseOffsetKey(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf('\u0000');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}
