import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { METRICS_REGISTRY } from '@timeline/observability';
import { CodedError } from '@timeline/http';
import { ident } from '@timeline/store';
import type { PageKey } from '../query/page-cursor.js';
import type { Instant, SortKey, SortOrder, StatsQuery, TimelineFilter } from '../query/timeline-filter.js';
import { changeRanges, type HighWater, type StreamPosition } from '../stream/stream-position.js';
import { ActiveProjectionCache } from './active-projection.cache.js';
import { nameRegistry } from '../search/name-registry.js';
import { parseSearch } from '../search/search-query.js';
import { searchTsquery } from './search-sql.js';
import { utcText } from './sql-params.js';
import {
  SqlParams,
  disputedTargetsSql,
  entriesRelation,
  entryColumns,
  filterPredicates,
  entriesAt,
  keysetAfter,
  relationColumns,
  searchColumns,
  timelineOrder,
  type EntryRow,
} from './timeline-sql.js';

/** One change of an entry (a row of entry_versions): its creation, a correction or a retraction. */
export interface VersionRow extends EntryRow {
  event_id: string;
  change: 'created' | 'corrected' | 'retracted' | 'merged' | 'split' | 'related';
  correction_severity: 'substantive' | 'minor' | null;
  change_note: string | null;
  recorded_from: string;
  recorded_to: string | null;
}

/** A correction or retraction notice attached to a listed entry. */
export interface ChangeNoticeRow {
  entry_id: string;
  version: number;
  change: 'corrected' | 'retracted';
  correction_severity: 'substantive' | 'minor' | null;
  change_note: string | null;
  recorded_from: string;
}

/** A page of the timeline read in one snapshot. */
export interface TimelinePageRows {
  readonly projection: string;
  readonly rows: EntryRow[];
  readonly hasMore: boolean;
  readonly notices: ChangeNoticeRow[];
  /** Stream position of the snapshot (absent for asOf queries). */
  readonly highWater?: HighWater;
}

/** An incoming claim relation: which entry relates to this one, how, and what it says. */
export interface IncomingRelationRow {
  entry_id: string;
  relation: string;
  summary: string;
  status: string;
  /** The entry the link names: the entry read, or one of its merged reports. */
  target_id: string;
}

/** What the duplicate score of two entries is computed from. */
export interface CandidateFacts {
  entry_id: string;
  story_id: string;
  type: string;
  summary: string;
  occurred_at: string;
  occurred_precision: EntryRow['occurred_precision'];
  occurred_until: string | null;
  occurred_tz: string | null;
  actor_ids: string[];
  location_names: string[];
}

/** A candidate pair as read: both entries' facts and the summaries' trigram similarity. */
export interface CandidatePairRow {
  a: CandidateFacts;
  b: CandidateFacts;
  text_similarity: number;
}

/** Counts for charts. */
export interface StatsRows {
  readonly byType: { bucket: string; type: string; count: number }[];
  readonly byActor: { bucket: string; actor_id: string; actor_name: string; count: number }[];
}

/**
 * Rows a search page samples in timeline order first: 40 per row of the page (the page is found
 * there when at least 1 row in 40 matches), 1,000 to 20,000.
 */
export function probeWindow(limit: number): number {
  return Math.min(20_000, Math.max(1_000, (limit + 1) * 40));
}

/** The ids a claim about `row` may name: the entry itself and, for a survivor, each of its merged reports. */
function claimTargetsOf(row: EntryRow): string[] {
  return [row.entry_id, ...(row.merged_reports ?? []).map((m) => m.entryId)].map((id) => id.toLowerCase());
}

/** The longest walk in timeline order a search page takes on its sample's word (rows). */
const MAX_WALK = 100_000;

/** Postgres "undefined_table": the projector has not migrated this schema yet. */
const UNDEFINED_TABLE = '42P01';

/**
 * Every read of the timeline read model. Hand-written, parameterised SQL over the active
 * projection's partition; multi-statement reads run in one REPEATABLE READ, READ ONLY snapshot so
 * a page, its notices and its stream position agree with each other.
 */
@Injectable()
export class TimelineReader {
  private readonly schema: string;
  private readonly s: string;
  private readonly searchPages: Counter<'plan'>;
  private zones?: Promise<string[]>;

  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ActiveProjectionCache) private readonly projections: ActiveProjectionCache,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.schema = config.database.schema;
    this.s = ident(config.database.schema);
    this.searchPages = new Counter({
      name: 'timeline_api_search_pages_total',
      help: 'Pages of a `q` search by plan: probe (found in the sampled rows), walk (a longer walk in timeline order the sample chose) or index (every match through the GIN index)',
      labelNames: ['plan'],
      registers: [registry],
    });
  }

  /** One page in timeline order after `after` (keyset), plus one extra row to tell whether more follow. */
  async page(filter: TimelineFilter, order: SortOrder, limit: number, after?: PageKey, sort: SortKey = 'time'): Promise<TimelinePageRows> {
    const projection = await this.projections.current();
    return this.snapshot(async (em) => {
      const p = new SqlParams();
      const rel = entriesRelation(this.schema, projection, filter.asOf, p);
      const where = [`e.projection = ${p.bind(projection)}`, ...filterPredicates(filter, p, 'e', { schema: this.schema })];
      if (after) where.push(keysetAfter(after, order, p, 'e', sort));
      const snippet = filter.q ? `, ${searchColumns(filter.q, p, 'e', this.schema)}` : '';
      const relations = `, ${relationColumns(this.schema, filter.asOf, p, 'e')}`;
      const probed = sort === 'time' ? await this.searchPageIds(em, projection, filter, order, limit, after) : undefined;
      const rows = probed
        ? await this.rowsByIds(em, projection, probed, filter.q!, order)
        : ((await em.query(
            `SELECT ${entryColumns('e')}${snippet}${relations} FROM ${rel} WHERE ${where.join(' AND ')}
              ORDER BY ${timelineOrder(order, 'e', sort)} LIMIT ${p.bind(limit + 1, 'int')}`,
            p.values,
          )) as EntryRow[]);
      const hasMore = rows.length > limit;
      if (hasMore) rows.length = limit;
      await this.markDisputed(em, projection, rows, filter.asOf);
      const notices = await this.notices(
        em,
        projection,
        rows.map((r) => r.entry_id),
        filter.asOf,
      );
      const highWater = filter.asOf ? undefined : await this.highWaterIn(em, projection);
      return { projection, rows, hasMore, notices, ...(highWater ? { highWater } : {}) };
    });
  }

  /**
   * A search page whose cost follows the page, not the match count. PostgreSQL cannot estimate how
   * many rows a text search matches (two always-together words are taken as independent: 0.055²
   * instead of 0.055; a word tried in several configurations as their sum), so it picks between
   * walking the timeline-order index (cheap when matches are dense) and reading every match through
   * the GIN index and sorting (cheap when they are rare) on a guess that is wrong by 10–20× either
   * way: 50,000 heap pages for one page of 50, or a 12,000-row walk for a word in 0.5% of entries.
   * Here the choice is made on a real sample instead:
   * 1. walk the next {@link probeWindow} rows in timeline order (the other filters and the keyset
   *    applied) and test the search on them: a whole page there (limit + 1 matches), or the end of
   *    the timeline, is the answer;
   * 2. otherwise the sample's match rate says what each plan costs: walking on to limit + 1 matches
   *    (rows ≈ (limit + 1) ÷ rate), or reading all matches through the GIN index (rows ≈ rate × the
   *    table's rows) — the cheaper one runs, the walk bounded by {@link MAX_WALK}.
   * Returns the page's ids in order (limit + 1 at most). Current rows only (undefined with `asOf`:
   * versions compute their search vector per row).
   */
  private async searchPageIds(
    em: EntityManager,
    projection: string,
    filter: TimelineFilter,
    order: SortOrder,
    limit: number,
    after: PageKey | undefined,
  ): Promise<string[] | undefined> {
    if (!filter.q || filter.asOf) return undefined;
    const p = new SqlParams();
    const tsq = searchTsquery(parseSearch(filter.q, nameRegistry()), p, this.schema);
    if (!tsq) return [];
    const where = [
      `e.projection = ${p.bind(projection)}`,
      ...filterPredicates({ ...filter, q: undefined }, p, 'e', { schema: this.schema }),
    ];
    if (after) where.push(keysetAfter(after, order, p, 'e'));
    const lim = p.bind(limit + 1, 'int');
    // The search is tested once per walked row: `m` holds the walked rows that match.
    const walk = async (rows: number) => {
      const q = new SqlParams();
      q.values.push(...p.values);
      const [r] = (await em.query(
        `WITH w AS MATERIALIZED (
           SELECT e.entry_id, e.occurred_at, e.recorded_at, e.search FROM ${this.s}.timeline_entries e
            WHERE ${where.join(' AND ')} ORDER BY ${timelineOrder(order, 'e')} LIMIT ${q.bind(rows, 'int')}),
         m AS MATERIALIZED (SELECT w.entry_id, w.occurred_at, w.recorded_at FROM w WHERE w.search @@ (${tsq}))
         SELECT (SELECT count(*)::int FROM w) AS scanned, (SELECT count(*)::int FROM m) AS hits,
                ARRAY(SELECT m.entry_id::text FROM m ORDER BY ${timelineOrder(order, 'm')} LIMIT ${lim}) AS ids`,
        q.values,
      )) as { scanned: number; hits: number; ids: string[] }[];
      return r!;
    };
    const window = probeWindow(limit);
    const probe = await walk(window);
    if (probe.ids.length > limit || probe.scanned < window) {
      this.searchPages.inc({ plan: 'probe' });
      return probe.ids;
    }
    const rate = probe.hits / probe.scanned;
    const walkRows = rate > 0 ? Math.ceil(((limit + 1) / rate) * 1.5) : Infinity;
    if (walkRows <= MAX_WALK && walkRows < rate * (await this.tableRows(em))) {
      const longer = await walk(walkRows);
      if (longer.ids.length > limit || longer.scanned < walkRows) {
        this.searchPages.inc({ plan: 'walk' });
        return longer.ids;
      }
    }
    this.searchPages.inc({ plan: 'index' });
    // MATERIALIZED without ORDER BY/LIMIT: the planner cannot walk the order index for it; it
    // reads the (few, as the sample showed) matches through the GIN index.
    const matches = (await em.query(
      `WITH m AS MATERIALIZED (
         SELECT e.entry_id, e.occurred_at, e.recorded_at FROM ${this.s}.timeline_entries e
          WHERE ${[...where, `e.search @@ (${tsq})`].join(' AND ')})
       SELECT m.entry_id::text AS entry_id FROM m AS m ORDER BY ${timelineOrder(order, 'm')} LIMIT ${lim}`,
      p.values,
    )) as { entry_id: string }[];
    return matches.map((m) => m.entry_id);
  }

  /** The planner's row count of the timeline's partitions (every projection version), for plan pricing. */
  private async tableRows(em: EntityManager): Promise<number> {
    const [r] = (await em.query(
      `SELECT coalesce(sum(c.reltuples), 0)::float8 AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass`,
      [`${this.s}.timeline_entries`],
    )) as { n: number }[];
    return r?.n ?? 0;
  }

  /**
   * Sets `disputed` on each row: an entry that is not retracted denies or contradicts it, or one of
   * its merged reports (the claim was about the same event) — one statement for all rows.
   */
  private async markDisputed(em: EntityManager, projection: string, rows: EntryRow[], asOf: Instant | undefined): Promise<void> {
    if (rows.length === 0) return;
    const p = new SqlParams();
    const sql = disputedTargetsSql(this.schema, projection, [...new Set(rows.flatMap(claimTargetsOf))], asOf, p);
    const disputed = new Set(((await em.query(sql, p.values)) as { target: string }[]).map((t) => t.target.toLowerCase()));
    for (const r of rows) r.disputed = claimTargetsOf(r).some((id) => disputed.has(id));
  }

  /** The rows of a search page (see {@link searchPageIds}), with the search columns, in timeline order. */
  private async rowsByIds(em: EntityManager, projection: string, ids: string[], q: string, order: SortOrder): Promise<EntryRow[]> {
    if (ids.length === 0) return [];
    const p = new SqlParams();
    return (await em.query(
      `SELECT ${entryColumns('e')}, ${searchColumns(q, p, 'e', this.schema)}, ${relationColumns(this.schema, undefined, p, 'e')}
         FROM ${this.s}.timeline_entries e
        WHERE e.projection = ${p.bind(projection)} AND e.entry_id = ANY(${p.bind(ids, 'uuid[]')})
        ORDER BY ${timelineOrder(order, 'e')}`,
      p.values,
    )) as EntryRow[];
  }

  /** One entry (current, or as known at `asOf`) with every version recorded so far and the relations coming in. */
  async entry(id: string, asOf?: Instant): Promise<{ row: EntryRow; versions: VersionRow[]; incoming: IncomingRelationRow[] } | undefined> {
    const projection = await this.projections.current();
    return this.snapshot(async (em) => {
      const p = new SqlParams();
      const rel = entriesRelation(this.schema, projection, asOf, p);
      const [row] = (await em.query(
        `SELECT ${entryColumns('e')}, ${relationColumns(this.schema, asOf, p, 'e')} FROM ${rel} WHERE e.projection = ${p.bind(projection)} AND e.entry_id = ${p.bind(id, 'uuid')}`,
        p.values,
      )) as EntryRow[];
      if (!row) return undefined;
      await this.markDisputed(em, projection, [row], asOf);
      const vp = new SqlParams();
      const cond = [`v.projection = ${vp.bind(projection)}`, `v.entry_id = ${vp.bind(id, 'uuid')}`];
      if (asOf) cond.push(`v.recorded_from <= ${vp.bind(asOf.iso, 'timestamptz')}`);
      const versions = (await em.query(
        `SELECT ${this.versionColumns()} FROM ${this.s}.entry_versions v WHERE ${cond.join(' AND ')} ORDER BY v.version`,
        vp.values,
      )) as VersionRow[];
      // Links to the entry itself and, for a survivor, to each of its merged reports (at most 51 ids).
      const ip = new SqlParams();
      const targets = claimTargetsOf(row).map((t) => ip.bind(t));
      const contains = targets.map((t) => `d.relations @> jsonb_build_array(jsonb_build_object('entryId', ${t}::text))`).join(' OR ');
      const incoming = (await em.query(
        `SELECT d.entry_id::text AS entry_id, x.r->>'relation' AS relation, d.summary, d.status, x.r->>'entryId' AS target_id
           FROM ${entriesAt(this.schema, asOf, ip)} d, jsonb_array_elements(d.relations) AS x(r)
          WHERE d.projection = ${ip.bind(projection)} AND (${contains})
            AND x.r->>'entryId' IN (${targets.join(', ')})
          ORDER BY d.occurred_at, d.entry_id, x.r->>'relation', x.r->>'entryId'`,
        ip.values,
      )) as IncomingRelationRow[];
      return { row, versions, incoming };
    });
  }

  /**
   * Likely duplicates: pairs of entries of one story, neither merged nor retracted, whose occurrences
   * lie within two days of each other (the widest precision window plus time-zone slack), each with
   * the `pg_trgm` similarity of their summaries — most similar first, at most `limit` pairs. With
   * `entryId`, only pairs with that entry (as `a`); else every pair of `storyId` (`a` < `b`).
   */
  async candidatePairs(scope: { entryId: string } | { storyId: string }, limit: number): Promise<CandidatePairRow[] | undefined> {
    const projection = await this.projections.current();
    return this.snapshot(async (em) => {
      const p = new SqlParams();
      const proj = p.bind(projection);
      const facts = (x: string) =>
        `jsonb_build_object('entry_id', ${x}.entry_id::text, 'story_id', ${x}.story_id, 'type', ${x}.type, 'summary', ${x}.summary,
           'occurred_at', ${utcText(`${x}.occurred_at`)}, 'occurred_precision', ${x}.occurred_precision,
           'occurred_until', ${utcText(`${x}.occurred_until`)}, 'occurred_tz', ${x}.occurred_tz,
           'actor_ids', to_jsonb(${x}.actor_ids), 'location_names', to_jsonb(${x}.location_names))`;
      const open = (x: string) => `${x}.merged_into IS NULL AND ${x}.status <> 'retracted'`;
      const where = [`a.projection = ${proj}`];
      if ('entryId' in scope) {
        const id = p.bind(scope.entryId, 'uuid');
        const found = (await em.query(`SELECT 1 FROM ${this.s}.timeline_entries WHERE projection = $1 AND entry_id = $2`, [
          projection,
          scope.entryId,
        ])) as unknown[];
        if (found.length === 0) return undefined;
        where.push(`a.entry_id = ${id}`, `b.entry_id <> a.entry_id`);
      } else {
        where.push(`a.story_id = ${p.bind(scope.storyId)}`, open('a'), `a.entry_id < b.entry_id`);
      }
      return (await em.query(
        `SELECT ${facts('a')} AS a, ${facts('b')} AS b, similarity(a.summary, b.summary)::float8 AS text_similarity
           FROM ${this.s}.timeline_entries a
           JOIN ${this.s}.timeline_entries b ON b.projection = a.projection AND b.story_id = a.story_id AND ${open('b')}
                AND b.occurred_at <= coalesce(a.occurred_until, a.occurred_at) + interval '2 days'
                AND coalesce(b.occurred_until, b.occurred_at) >= a.occurred_at - interval '2 days'
          WHERE ${where.join(' AND ')}
          ORDER BY text_similarity DESC, b.entry_id LIMIT ${p.bind(limit, 'int')}`,
        p.values,
      )) as CandidatePairRow[];
    });
  }

  /** Counts per bucket per type and per actor (buckets in each entry's own reported time zone). */
  async stats(query: StatsQuery): Promise<StatsRows> {
    const projection = await this.projections.current();
    const zones = await this.timeZones();
    return this.snapshot(async (em) => {
      const filtered = (p: SqlParams) => {
        const rel = entriesRelation(this.schema, projection, query.filter.asOf, p);
        const where = [`e.projection = ${p.bind(projection)}`, ...filterPredicates(query.filter, p, 'e', { schema: this.schema })];
        // Same rule as displayZone(): a day-precision date stored as midnight UTC is a calendar
        // date; anything else is bucketed on the wall clock of its reported zone.
        const zone = `CASE WHEN e.occurred_precision = 'day' AND (e.occurred_at AT TIME ZONE 'UTC')::time = '00:00' THEN 'UTC'
                           WHEN e.occurred_tz = ANY(${p.bind(zones, 'text[]')}) THEN e.occurred_tz ELSE 'UTC' END`;
        // Whitelisted unit: only 'day' or 'week' reach date_trunc.
        const unit = query.bucket === 'week' ? 'week' : 'day';
        return `WITH f AS (
            SELECT e.entry_id, e.type, e.actors,
                   to_char(date_trunc('${unit}', e.occurred_at AT TIME ZONE ${zone}), 'YYYY-MM-DD') AS bucket
              FROM ${rel} WHERE ${where.join(' AND ')})`;
      };
      const p1 = new SqlParams();
      const byType = (await em.query(
        `${filtered(p1)} SELECT bucket, type, count(*)::int AS count FROM f GROUP BY bucket, type ORDER BY bucket, type`,
        p1.values,
      )) as StatsRows['byType'];
      const p2 = new SqlParams();
      const byActor = (await em.query(
        `${filtered(p2)} SELECT f.bucket, a.actor->>'id' AS actor_id, max(a.actor->>'name') AS actor_name,
                count(DISTINCT f.entry_id)::int AS count
           FROM f, jsonb_array_elements(f.actors) AS a(actor)
          WHERE a.actor->>'id' IS NOT NULL
          GROUP BY f.bucket, a.actor->>'id' ORDER BY f.bucket, a.actor->>'id'`,
        p2.values,
      )) as StatsRows['byActor'];
      return { byType, byActor };
    });
  }

  /** Streams the filtered timeline page by page (keyset), for exports of any size in flat memory. */
  async *scan(filter: TimelineFilter, order: SortOrder, pageSize = 500): AsyncGenerator<{ rows: EntryRow[]; notices: ChangeNoticeRow[] }> {
    let after: PageKey | undefined;
    for (;;) {
      const page = await this.page(filter, order, pageSize, after);
      if (page.rows.length) yield { rows: page.rows, notices: page.notices };
      if (!page.hasMore) return;
      const last = page.rows[page.rows.length - 1] as EntryRow;
      after = { occurredAt: last.occurred_at, recordedAt: last.recorded_at, entryId: last.entry_id };
    }
  }

  /**
   * Changes (entry versions) after `position` matching `filter`, in per-partition commit order, at
   * most `limit`, together with the snapshot's high-water mark. When fewer than `limit` rows come
   * back, every matching change up to the high-water mark has been returned.
   */
  async changes(position: StreamPosition, filter: TimelineFilter, limit: number): Promise<{ rows: VersionRow[]; highWater?: HighWater }> {
    const projection = await this.projections.current();
    return this.snapshot(async (em) => {
      const highWater = await this.highWaterIn(em, projection);
      const p = new SqlParams();
      const proj = p.bind(projection);
      const filters = filterPredicates(filter, p, 'v', {
        schema: this.schema,
        search: `${this.s}.entry_search_vector(v.search_texts)`,
        keepRetracted: true,
      });
      const max = p.bind(limit, 'int');
      const ranges = changeRanges(position, highWater, p, 'v');
      if (ranges.length === 0) return { rows: [], ...(highWater ? { highWater } : {}) };
      // One ordered, limited index range scan per partition, merged: cost follows the new rows only.
      const branches = ranges.map(
        (range) => `(SELECT ${this.versionColumns()} FROM ${this.s}.entry_versions v
           WHERE v.projection = ${proj} AND ${[range, ...filters].join(' AND ')}
           ORDER BY v.source_partition, v.source_offset, v.entry_id, v.version LIMIT ${max})`,
      );
      const rows = (await em.query(
        `SELECT * FROM (${branches.join(' UNION ALL ')}) c
          ORDER BY c.source_partition, c.source_offset::bigint, c.entry_id::uuid, c.version LIMIT ${max}`,
        p.values,
      )) as VersionRow[];
      return { rows, ...(highWater ? { highWater } : {}) };
    });
  }

  /** The current stream position of the active projection (where a new live subscriber starts). */
  async highWater(): Promise<HighWater | undefined> {
    const projection = await this.projections.current();
    return this.guard(() => this.highWaterIn(this.ds.manager, projection));
  }

  /**
   * Highest committed offset per partition: the projector writes `projector_offsets` in the same
   * transaction as the rows, so everything at or below `next_offset - 1` is visible in this
   * snapshot. Without offsets (a projection built from event_log), the highest position present
   * per partition is used — equally safe, since a partition's batches commit in offset order.
   */
  private async highWaterIn(em: EntityManager, projection: string): Promise<HighWater | undefined> {
    let rows = (await em.query(
      `SELECT partition, (max(next_offset) - 1)::text AS top FROM ${this.s}.projector_offsets
        WHERE projection = $1 GROUP BY partition`,
      [projection],
    )) as { partition: number; top: string }[];
    if (rows.length === 0) {
      rows = (await em.query(
        `SELECT source_partition AS partition, max(source_offset)::text AS top FROM ${this.s}.entry_versions
          WHERE projection = $1 GROUP BY source_partition`,
        [projection],
      )) as { partition: number; top: string }[];
    }
    if (rows.length === 0) return undefined;
    return new Map(rows.map((r) => [r.partition, r.top]));
  }

  private async notices(em: EntityManager, projection: string, ids: string[], asOf?: Instant): Promise<ChangeNoticeRow[]> {
    if (ids.length === 0) return [];
    const p = new SqlParams();
    const cond = [
      `v.projection = ${p.bind(projection)}`,
      `v.entry_id = ANY(${p.bind(ids, 'uuid[]')})`,
      `v.change IN ('corrected', 'retracted')`,
    ];
    if (asOf) cond.push(`v.recorded_from <= ${p.bind(asOf.iso, 'timestamptz')}`);
    return (await em.query(
      `SELECT v.entry_id::text AS entry_id, v.version, v.change, v.correction_severity, v.change_note,
              ${utcText('v.recorded_from')} AS recorded_from
         FROM ${this.s}.entry_versions v WHERE ${cond.join(' AND ')} ORDER BY v.entry_id, v.version`,
      p.values,
    )) as ChangeNoticeRow[];
  }

  private versionColumns(): string {
    // Versions carry no recorded_at of their own: the entry's is its first version's recorded_from.
    const cols = entryColumns('v')
      .replace(
        `${utcText('v.recorded_at')} AS recorded_at`,
        `${utcText(`(SELECT min(v1.recorded_from) FROM ${this.s}.entry_versions v1 WHERE v1.projection = v.projection AND v1.entry_id = v.entry_id)`)} AS recorded_at`,
      )
      .replace(`${utcText('v.updated_at')} AS updated_at`, `${utcText('v.recorded_from')} AS updated_at`);
    return `${cols}, v.event_id::text AS event_id, v.change, v.correction_severity, v.change_note,
            ${utcText('v.recorded_from')} AS recorded_from, ${utcText('v.recorded_to')} AS recorded_to`;
  }

  /** Time zone names Postgres knows (loaded once), so `AT TIME ZONE` never fails on a bad stored zone. */
  private timeZones(): Promise<string[]> {
    this.zones ??= this.guard(async () =>
      ((await this.ds.query('SELECT name FROM pg_timezone_names')) as { name: string }[]).map((r) => r.name),
    );
    this.zones.catch(() => (this.zones = undefined));
    return this.zones;
  }

  private snapshot<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.guard(() =>
      this.ds.transaction('REPEATABLE READ', async (em) => {
        await em.query('SET TRANSACTION READ ONLY');
        return fn(em);
      }),
    );
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if ((err as { driverError?: { code?: string }; code?: string }).driverError?.code === UNDEFINED_TABLE) {
        throw new CodedError('UNAVAILABLE.READ_MODEL', 'The read model is not initialised yet (the projector migrates it at boot).', [], {
          retryAfterSeconds: 5,
        });
      }
      throw err;
    }
  }
}
