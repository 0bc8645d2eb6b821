import type { DataSource, QueryRunner } from 'typeorm';
import { notifyTimeline } from '../projection/notify.js';
import type { EventLogSource } from './event-log-source.js';
import { RebuildRequestError } from './rebuild-request.error.js';
import type { SqlRunner } from './sql-runner.js';
import { offsetKey, parseOffsetKey, readOffsets, type RebuildCounts, type VersionBatchApplier } from './version-batch-applier.js';

/** What {@link switchActiveProjection} did. */
export interface SwitchOutcome {
  /** The version that was active before (now `retired`). */
  readonly previous: string;
  /** Events applied from `event_log` under the lock so the new version equals the live head. */
  readonly caughtUp: number;
  readonly switchedAt: string;
}

/** A (topic, partition) range `[from, to)` of `event_log` the new version still lacks. */
export interface CatchUpRange {
  readonly topic: string;
  readonly partition: number;
  /** `null`: the version has nothing of this partition yet. */
  readonly from: string | null;
  readonly to: string;
}

/**
 * Ranges the live version has applied (its `projector_offsets`) beyond the new version's offsets.
 * The live projector archives each event in the transaction that applies it, so `event_log` holds
 * every one of them, by position.
 */
export async function catchUpRanges(q: SqlRunner, live: string, building: string): Promise<CatchUpRange[]> {
  const liveOffsets = await readOffsets(q, live);
  const own = await readOffsets(q, building);
  const out: CatchUpRange[] = [];
  for (const [key, to] of liveOffsets) {
    const from = own.get(key) ?? null;
    if (from !== null && BigInt(from) >= BigInt(to)) continue;
    out.push({ ...parseOffsetKey(key), from, to });
  }
  return out;
}

/** Applies `ranges` from `event_log` to `projection` in chunks (each in its own transaction unless `q` is given). */
export async function applyCatchUp(
  deps: { ds: DataSource; applier: VersionBatchApplier; source: EventLogSource; chunkSize: number },
  projection: string,
  ranges: readonly CatchUpRange[],
  counts: RebuildCounts,
  onChunk: (events: number) => void | Promise<void>,
  q?: QueryRunner,
): Promise<void> {
  for (const range of ranges) {
    let from = range.from;
    for (;;) {
      const slice = await deps.source.read(q ?? deps.ds, range.topic, range.partition, from, range.to, deps.chunkSize);
      if (slice.rows === 0 || slice.nextOffset === null) break;
      const chunk = {
        topic: range.topic,
        partition: range.partition,
        events: slice.events,
        nextOffset: slice.nextOffset,
        undecodable: slice.undecodable.length,
        read: slice.rows,
      };
      if (q) await deps.applier.applyInTransaction(q, projection, chunk, counts, false);
      else await deps.applier.applyChunk(projection, chunk, counts, false);
      await onChunk(slice.rows);
      from = slice.nextOffset;
    }
  }
}

/**
 * Makes `next` the active projection, atomically, in ONE transaction:
 *
 * 1. `SELECT … FROM active_projection FOR UPDATE`: waits for in-flight live projector batches (they
 *    hold the row `FOR SHARE` for their whole transaction) and holds back new ones.
 * 2. Applies from `event_log` whatever the live version applied beyond `next`'s offsets, so `next`
 *    equals the live head exactly.
 * 3. Replaces `next`'s offsets with the live version's: the live projector's next batch (which
 *    re-reads the pointer after our commit) continues in `next` exactly where it left off; anything
 *    `next` applied beyond the live head is redelivered and skipped as a duplicate.
 * 4. Marks the statuses (`active` / `retired`), moves the pointer and queues a `timeline`
 *    notification for `next`, which makes every API instance re-read the pointer at once.
 *
 * The API reads the old version until it sees the pointer move (at most a second, see its cache);
 * the old version stays complete until the caller drops it after a grace period.
 */
export async function switchActiveProjection(
  deps: { ds: DataSource; applier: VersionBatchApplier; source: EventLogSource; chunkSize: number; topic: string },
  next: string,
  counts: RebuildCounts,
): Promise<SwitchOutcome> {
  const q = deps.ds.createQueryRunner();
  await q.connect();
  try {
    await q.startTransaction('READ COMMITTED');
    try {
      const pointer = (await q.query('SELECT name FROM active_projection FOR UPDATE')) as { name: string }[];
      const previous = pointer[0]?.name;
      if (!previous) throw new RebuildRequestError('active_projection is empty: run the migrations (npm run cli -- migrate)');
      if (previous === next) throw new RebuildRequestError(`"${next}" is already the active projection`);
      const row = (await q.query('SELECT status FROM projections WHERE name = $1 FOR UPDATE', [next])) as { status: string }[];
      if (row[0]?.status !== 'building')
        throw new RebuildRequestError(`"${next}" is not a version being built (status ${row[0]?.status ?? 'missing'})`);

      // Read committed: every statement from here sees the batches that committed while we waited.
      let caughtUp = 0;
      await applyCatchUp(deps, next, await catchUpRanges(q, previous, next), counts, (n) => void (caughtUp += n), q);

      await q.query('DELETE FROM projector_offsets WHERE projection = $1', [next]);
      await q.query(
        `INSERT INTO projector_offsets (projection, topic, partition, next_offset, updated_at)
         SELECT $1, topic, partition, next_offset, now() FROM projector_offsets WHERE projection = $2`,
        [next, previous],
      );
      await q.query(`UPDATE projections SET status = 'retired', retired_at = now() WHERE name = $1`, [previous]);
      await q.query(`UPDATE projections SET status = 'active', activated_at = now(), retired_at = NULL WHERE name = $1`, [next]);
      await q.query('UPDATE active_projection SET name = $1, switched_at = now()', [next]);
      const at = (await q.query(`SELECT to_json(switched_at) #>> '{}' AS at FROM active_projection`)) as { at: string }[];
      const switchedAt = at[0]?.at ?? new Date().toISOString();

      // An empty range: nothing new to read, but listeners drop their cached pointer now.
      const offsets = await readOffsets(q, next);
      const head = offsets.get(offsetKey(deps.topic, 0)) ?? '0';
      await notifyTimeline(q, { projection: next, topic: deps.topic, partition: 0, fromOffset: head, toOffset: head, entryIds: [] });
      await q.commitTransaction();
      return { previous, caughtUp, switchedAt };
    } catch (err) {
      await q.rollbackTransaction().catch(() => undefined);
      throw err;
    }
  } finally {
    await q.release();
  }
}
