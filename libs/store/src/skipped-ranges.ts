import type { DataSource, EntityManager } from 'typeorm';

/** One range `cli skip` moved past: offsets `[fromOffset, toOffset)` of a partition. */
export interface SkippedRange {
  readonly topic: string;
  readonly partition: number;
  readonly fromOffset: string;
  readonly toOffset: string;
  readonly reason: string;
  readonly skippedBy: string;
  readonly skippedAt: string;
}

/** What {@link skipPartitionRange} did. */
export interface SkipResult extends SkippedRange {
  /** The projection version whose stored offset moved (the active one). */
  readonly projection: string;
}

/** Why a skip was refused (the CLI prints it and exits 1). */
export class SkipRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SkipRefusedError';
  }
}

/**
 * Moves the active projection's stored offset of one partition to `toOffset` and records the range
 * in `skipped_ranges` — under the same partition lock the projector's batch fence takes, so a
 * running projector cannot commit across it. `beforeCommit` runs inside the transaction (the CLI
 * publishes the dead letter describing the range there: if that fails, nothing moves). The parked
 * projector notices the moved offset and resumes from it.
 */
export async function skipPartitionRange(
  ds: DataSource,
  req: { topic: string; partition: number; toOffset: string; reason: string; by: string },
  beforeCommit: (range: SkipResult) => Promise<void>,
): Promise<SkipResult> {
  if (!req.reason.trim()) throw new SkipRefusedError('a reason is required: say why these offsets may be skipped');
  return ds.transaction(async (m: EntityManager) => {
    const [active] = (await m.query('SELECT name FROM active_projection FOR SHARE')) as { name: string }[];
    if (!active) throw new SkipRefusedError('no active projection: run the projector (or `cli migrate`) first');
    const projection = active.name;
    // The lock key of the projector's offset fence (OffsetStore.lockPartition).
    await m.query('SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))', [
      `timeline.projector-offset:${projection}:${req.topic}:${req.partition}`,
    ]);
    const [row] = (await m.query(
      'SELECT next_offset::text AS next_offset FROM projector_offsets WHERE projection = $1 AND topic = $2 AND partition = $3 FOR UPDATE',
      [projection, req.topic, req.partition],
    )) as { next_offset: string }[];
    const from = row?.next_offset ?? '0';
    if (BigInt(req.toOffset) <= BigInt(from)) {
      throw new SkipRefusedError(
        `partition ${req.partition} of ${req.topic} is already at offset ${from}; --to-offset must be after it (nothing to skip)`,
      );
    }
    const [stamp] = (await m.query("SELECT to_json(now()) #>> '{}' AS at")) as { at: string }[];
    const result: SkipResult = {
      projection,
      topic: req.topic,
      partition: req.partition,
      fromOffset: from,
      toOffset: req.toOffset,
      reason: req.reason.trim(),
      skippedBy: req.by,
      skippedAt: stamp!.at,
    };
    await m.query(
      `INSERT INTO projector_offsets (projection, topic, partition, next_offset, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = EXCLUDED.updated_at`,
      [projection, req.topic, req.partition, req.toOffset],
    );
    await m.query(
      'INSERT INTO skipped_ranges (topic, partition, from_offset, to_offset, reason, skipped_by) VALUES ($1, $2, $3, $4, $5, $6)',
      [req.topic, req.partition, from, req.toOffset, result.reason, req.by],
    );
    await beforeCommit(result);
    return result;
  });
}

/** Every skipped range of `topic`, by partition and offset (a rebuild from Kafka skips the same). */
export async function skippedRanges(ds: DataSource, topic: string): Promise<SkippedRange[]> {
  const rows = (await ds.query(
    `SELECT topic, partition, from_offset::text AS from_offset, to_offset::text AS to_offset, reason, skipped_by,
            to_json(skipped_at) #>> '{}' AS skipped_at
     FROM skipped_ranges WHERE topic = $1 ORDER BY partition, from_offset`,
    [topic],
  )) as {
    topic: string;
    partition: number;
    from_offset: string;
    to_offset: string;
    reason: string;
    skipped_by: string;
    skipped_at: string;
  }[];
  return rows.map((r) => ({
    topic: r.topic,
    partition: r.partition,
    fromOffset: r.from_offset,
    toOffset: r.to_offset,
    reason: r.reason,
    skippedBy: r.skipped_by,
    skippedAt: r.skipped_at,
  }));
}
