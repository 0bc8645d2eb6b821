import type { DataSource, QueryRunner } from 'typeorm';
import type { SqlRunner } from '../rebuild/sql-runner.js';

/**
 * `projector_offsets`: the consumer's true position per (projection, topic, partition), written in
 * the same transaction as the projection it describes (ARCHITECTURE.md "No event lost, none applied
 * twice"). Kafka's own committed offsets are only a copy for lag tools. The live projector, a
 * rebuild's Kafka phase and its event_log phases all lock and store offsets through this one class.
 */
export class OffsetStore {
  /**
   * The projection version the live projector writes. `FOR SHARE`: a rebuild's switch (an UPDATE of
   * this row) waits for in-flight batches, and no batch straddles the switch.
   */
  async activeProjection(q: QueryRunner): Promise<string> {
    const rows = (await q.query('SELECT name FROM active_projection FOR SHARE', [], true)) as { records: { name: string }[] };
    const name = rows.records[0]?.name;
    if (!name) throw new Error('active_projection is empty: run the migrations (npm run db:migrate)');
    return name;
  }

  /**
   * Locks the partition's offset row for this transaction and returns the stored next offset (null
   * when nothing was ever applied). This is the fence: a stale instance that lost the partition in
   * a rebalance blocks here until the new owner commits, then sees the advanced offset and skips what
   * it holds. The advisory lock covers the first batch, when there is no row yet to lock.
   */
  async lockPartition(q: SqlRunner, projection: string, topic: string, partition: number): Promise<string | null> {
    await q.query('SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))', [
      `timeline.projector-offset:${projection}:${topic}:${partition}`,
    ]);
    const rows = (await q.query(
      `SELECT next_offset::text AS next_offset FROM projector_offsets
       WHERE projection = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
      [projection, topic, partition],
    )) as { next_offset: string }[];
    return rows[0]?.next_offset ?? null;
  }

  /** Stores the partition's next offset (in the caller's transaction). */
  async save(q: SqlRunner, projection: string, topic: string, partition: number, nextOffset: string): Promise<void> {
    await q.query(
      `INSERT INTO projector_offsets (projection, topic, partition, next_offset, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = EXCLUDED.updated_at`,
      [projection, topic, partition, nextOffset],
    );
  }

  /**
   * The stored next offsets for `topic` of `projection` — by default the active projection — with
   * its name (no locks: for seeking and lag).
   */
  async positions(ds: DataSource, topic: string, projection?: string): Promise<{ projection: string; offsets: Map<number, string> }> {
    if (projection !== undefined) {
      const rows: { partition: number; next_offset: string }[] = await ds.query(
        `SELECT partition, next_offset::text AS next_offset FROM projector_offsets WHERE projection = $1 AND topic = $2`,
        [projection, topic],
      );
      return { projection, offsets: new Map(rows.map((r) => [r.partition, r.next_offset])) };
    }
    const rows: { name: string; partition: number | null; next_offset: string | null }[] = await ds.query(
      `SELECT ap.name, po.partition, po.next_offset::text AS next_offset
       FROM active_projection ap LEFT JOIN projector_offsets po ON po.projection = ap.name AND po.topic = $1`,
      [topic],
    );
    if (rows.length === 0) throw new Error('active_projection is empty: run the migrations (npm run db:migrate)');
    const offsets = new Map<number, string>();
    for (const r of rows) if (r.partition !== null && r.next_offset !== null) offsets.set(r.partition, r.next_offset);
    return { projection: rows[0]!.name, offsets };
  }
}
