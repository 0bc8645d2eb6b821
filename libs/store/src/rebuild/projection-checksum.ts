import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/** Row count and content digest of one day (UTC, by `occurred_at`) of a projection version. */
export interface DayChecksum {
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  readonly entries: number;
  readonly entriesDigest: string;
  readonly versions: number;
  readonly versionsDigest: string;
}

/** Content checksum of one projection version (see {@link projectionChecksum}). */
export interface ProjectionChecksum {
  readonly projection: string;
  readonly days: readonly DayChecksum[];
  /** Deferred corrections/retractions still waiting for their target. */
  readonly pending: { readonly rows: number; readonly digest: string };
  readonly entries: number;
  readonly versions: number;
  /** SHA-256 over every day line and the pending line: equal digests ⇔ equal content. */
  readonly digest: string;
}

/** One difference between two checksums. */
export interface ChecksumDivergence {
  /** A day (`YYYY-MM-DD`) or `pending`. */
  readonly day: string;
  readonly table: 'timeline_entries' | 'entry_versions' | 'pending_corrections';
  readonly left: { readonly rows: number; readonly digest: string } | null;
  readonly right: { readonly rows: number; readonly digest: string } | null;
}

/**
 * Columns that say where a row is stored or came from, not what the timeline says: the version name
 * (the partition key), the generated tsvector (derived from `search_text`, which is compared), and
 * the Kafka position — which depends on how partitions interleaved when the version was built (a
 * correction applied on arrival vs. after waiting for its target on another partition) and on the
 * topic incarnation, neither of which changes the content.
 */
const PHYSICAL_COLUMNS = ['projection', 'search', 'source_partition', 'source_offset', 'source_topic', 'received_at'];

const dayOf = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
const doc = (alias: string) => `(to_jsonb(${alias}) - $2::text[])::text`;

/**
 * Row counts and an md5 per day of the canonical row text of `timeline_entries` and `entry_versions`
 * (every column except {@link PHYSICAL_COLUMNS}, as jsonb text — key order is canonical in jsonb —
 * ordered by entry id and version), plus the pending corrections. Computed in one REPEATABLE READ
 * transaction with UTC time zone, so the figures describe one instant and timestamps print the same
 * in every session. Columns added by later migrations are covered automatically.
 */
export async function projectionChecksum(ds: DataSource, projection: string): Promise<ProjectionChecksum> {
  return ds.transaction('REPEATABLE READ', (m) => projectionChecksumIn(m, projection));
}

/** {@link projectionChecksum} inside the caller's transaction (sets the transaction's time zone to UTC). */
export async function projectionChecksumIn(m: EntityManager, projection: string): Promise<ProjectionChecksum> {
  await m.query(`SET LOCAL TimeZone = 'UTC'`);
  const params = [projection, PHYSICAL_COLUMNS];
  const entries = (await m.query(
    `SELECT ${dayOf} AS day, count(*)::int AS rows, md5(string_agg(${doc('t')}, E'\\n' ORDER BY t.entry_id)) AS digest
     FROM timeline_entries t WHERE t.projection = $1 GROUP BY 1`,
    params,
  )) as { day: string; rows: number; digest: string }[];
  const versions = (await m.query(
    `SELECT ${dayOf} AS day, count(*)::int AS rows, md5(string_agg(${doc('v')}, E'\\n' ORDER BY v.entry_id, v.version)) AS digest
     FROM entry_versions v WHERE v.projection = $1 GROUP BY 1`,
    params,
  )) as { day: string; rows: number; digest: string }[];
  const pending = (await m.query(
    `SELECT count(*)::int AS rows, coalesce(md5(string_agg(${doc('p')}, E'\\n' ORDER BY p.event_id)), '') AS digest
     FROM pending_corrections p WHERE p.projection = $1`,
    params,
  )) as { rows: number; digest: string }[];

  const byDay = new Map<string, { e?: { rows: number; digest: string }; v?: { rows: number; digest: string } }>();
  for (const r of entries) byDay.set(r.day, { ...byDay.get(r.day), e: r });
  for (const r of versions) byDay.set(r.day, { ...byDay.get(r.day), v: r });
  const days: DayChecksum[] = [...byDay.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([day, x]) => ({
      day,
      entries: x.e?.rows ?? 0,
      entriesDigest: x.e?.digest ?? '',
      versions: x.v?.rows ?? 0,
      versionsDigest: x.v?.digest ?? '',
    }));
  const p = pending[0] ?? { rows: 0, digest: '' };
  const hash = createHash('sha256');
  for (const d of days) hash.update(`${d.day} ${d.entries} ${d.entriesDigest} ${d.versions} ${d.versionsDigest}\n`);
  hash.update(`pending ${p.rows} ${p.digest}\n`);
  return {
    projection,
    days,
    pending: { rows: p.rows, digest: p.digest },
    entries: days.reduce((n, d) => n + d.entries, 0),
    versions: days.reduce((n, d) => n + d.versions, 0),
    digest: hash.digest('hex'),
  };
}

/** Every day (and the pending set) where `left` and `right` differ, in day order; empty when equal. */
export function compareChecksums(left: ProjectionChecksum, right: ProjectionChecksum): ChecksumDivergence[] {
  const out: ChecksumDivergence[] = [];
  const l = new Map(left.days.map((d) => [d.day, d]));
  const r = new Map(right.days.map((d) => [d.day, d]));
  const days = [...new Set([...l.keys(), ...r.keys()])].sort();
  for (const day of days) {
    const a = l.get(day);
    const b = r.get(day);
    if ((a?.entriesDigest ?? '') !== (b?.entriesDigest ?? '') || (a?.entries ?? 0) !== (b?.entries ?? 0)) {
      out.push({
        day,
        table: 'timeline_entries',
        left: a ? { rows: a.entries, digest: a.entriesDigest } : null,
        right: b ? { rows: b.entries, digest: b.entriesDigest } : null,
      });
    }
    if ((a?.versionsDigest ?? '') !== (b?.versionsDigest ?? '') || (a?.versions ?? 0) !== (b?.versions ?? 0)) {
      out.push({
        day,
        table: 'entry_versions',
        left: a ? { rows: a.versions, digest: a.versionsDigest } : null,
        right: b ? { rows: b.versions, digest: b.versionsDigest } : null,
      });
    }
  }
  if (left.pending.digest !== right.pending.digest || left.pending.rows !== right.pending.rows) {
    out.push({ day: 'pending', table: 'pending_corrections', left: left.pending, right: right.pending });
  }
  return out;
}
