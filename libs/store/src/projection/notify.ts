import type { EntityManager, QueryRunner } from 'typeorm';

/**
 * The LISTEN/NOTIFY channel on which the projector announces committed changes to the read model.
 *
 * Contract (payload format version 1), one notification per committed batch transaction that
 * created or changed at least one entry; Postgres delivers it only if that transaction commits,
 * and in commit order:
 *
 * ```json
 * {"v":1,"schema":"timeline","projection":"live","topic":"timeline.events","partition":2,
 *  "fromOffset":"1200","toOffset":"1350","entryCount":3,
 *  "entryIds":["6f1c…","…"],"truncated":false}
 * ```
 *
 * - `schema`: the database schema written. NOTIFY channels are per database, not per schema, so
 *   a listener sharing a database with other deployments (tests do) must ignore other schemas.
 * - `projection`: the projection version written (compare with `active_projection`).
 * - `partition`, `fromOffset` (inclusive) … `toOffset` (exclusive, = the partition's new
 *   `projector_offsets.next_offset`): the Kafka range the transaction consumed. Every version row
 *   it wrote has `source_partition = partition` and `fromOffset <= source_offset < toOffset`, so
 *   `entry_versions` / `timeline_entries` rows can be read by position (indexed) — that is the
 *   commit-ordered resume position for SSE, never a sequence.
 * - `entryIds`: ids of the entries created, corrected or retracted, lower-case; at most
 *   {@link TIMELINE_NOTIFY_MAX_IDS}, and fewer if the payload would exceed Postgres's 8000-byte
 *   limit. `truncated: true` means the list is partial: read by position instead.
 *
 * Listeners must treat the payload as a hint and read rows; they must ignore a `v` they do not know.
 */
export const TIMELINE_NOTIFY_CHANNEL = 'timeline';

/** Upper bound of ids listed in one notification (36 chars each keeps the payload far below 8000 bytes). */
export const TIMELINE_NOTIFY_MAX_IDS = 100;

/** Postgres rejects NOTIFY payloads of 8000 bytes or more; stay clearly below. */
const MAX_PAYLOAD_BYTES = 7900;

/** Payload of a `timeline` notification (format version 1); see {@link TIMELINE_NOTIFY_CHANNEL}. */
export interface TimelineNotification {
  readonly v: 1;
  /** Database schema of the rows (channels are database-wide). */
  readonly schema: string;
  readonly projection: string;
  readonly topic: string;
  readonly partition: number;
  /** First Kafka offset consumed by the transaction (inclusive), decimal string. */
  readonly fromOffset: string;
  /** The partition's next offset after the transaction (exclusive), decimal string. */
  readonly toOffset: string;
  /** Number of entries created or changed. */
  readonly entryCount: number;
  /** Up to {@link TIMELINE_NOTIFY_MAX_IDS} of those entry ids. */
  readonly entryIds: readonly string[];
  /** True when `entryIds` lists fewer ids than `entryCount`. */
  readonly truncated: boolean;
}

/** Serialises a notification, dropping ids until it fits Postgres's payload limit. */
export function encodeTimelineNotification(n: Omit<TimelineNotification, 'v' | 'entryCount' | 'truncated'>): string {
  const all = n.entryIds;
  let ids = all.slice(0, TIMELINE_NOTIFY_MAX_IDS);
  for (;;) {
    const body: TimelineNotification = {
      v: 1,
      schema: n.schema,
      projection: n.projection,
      topic: n.topic,
      partition: n.partition,
      fromOffset: n.fromOffset,
      toOffset: n.toOffset,
      entryCount: all.length,
      entryIds: ids,
      truncated: ids.length < all.length,
    };
    const json = JSON.stringify(body);
    if (Buffer.byteLength(json, 'utf8') <= MAX_PAYLOAD_BYTES || ids.length === 0) return json;
    ids = ids.slice(0, Math.floor(ids.length / 2));
  }
}

/** Parses a `timeline` payload; `null` for anything that is not a version-1 notification. */
export function parseTimelineNotification(payload: string): TimelineNotification | null {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const n = v as Record<string, unknown>;
  const ok =
    n.v === 1 &&
    typeof n.schema === 'string' &&
    typeof n.projection === 'string' &&
    typeof n.topic === 'string' &&
    Number.isInteger(n.partition) &&
    typeof n.fromOffset === 'string' &&
    /^\d+$/.test(n.fromOffset) &&
    typeof n.toOffset === 'string' &&
    /^\d+$/.test(n.toOffset) &&
    Number.isInteger(n.entryCount) &&
    Array.isArray(n.entryIds) &&
    n.entryIds.every((id) => typeof id === 'string') &&
    typeof n.truncated === 'boolean';
  return ok ? (n as unknown as TimelineNotification) : null;
}

/**
 * Queues a `timeline` notification in the caller's transaction: Postgres delivers it at commit and
 * drops it on rollback, so listeners never hear of rows that do not exist. The schema is the data
 * source's (the search_path every connection of `createDataSource` uses).
 */
export async function notifyTimeline(
  tx: EntityManager | QueryRunner,
  n: Omit<TimelineNotification, 'v' | 'schema' | 'entryCount' | 'truncated'>,
): Promise<void> {
  const schema = (tx.dataSource.options as { schema?: string }).schema ?? 'public';
  await tx.query('SELECT pg_notify($1, $2)', [TIMELINE_NOTIFY_CHANNEL, encodeTimelineNotification({ ...n, schema })]);
}
