import { ident } from '@timeline/store';
import type { PageKey } from '../query/page-cursor.js';
import { toExclusiveIso, type Instant, type SortKey, type SortOrder, type TimelineFilter } from '../query/timeline-filter.js';
import { nameRegistry } from '../search/name-registry.js';
import { parseSearch } from '../search/search-query.js';
import { matchedLanguagesColumn, searchTsquery } from './search-sql.js';
import { SqlParams, utcText } from './sql-params.js';

/** One entry (current state, or the version valid at asOf) as read from the database. */
export interface EntryRow {
  entry_id: string;
  story_id: string;
  type: string;
  cameo_code: string | null;
  occurred_at: string;
  occurred_precision: 'day' | 'hour' | 'minute' | 'second';
  occurred_until: string | null;
  occurred_tz: string | null;
  recorded_at: string;
  updated_at: string;
  version: number;
  status: 'live' | 'corrected' | 'retracted';
  confirmation: 'confirmed' | 'reported';
  summary: string;
  /** BCP 47 language of summary. */
  language: string;
  /** The detector when the language was detected, else null. */
  language_detected_by: string | null;
  translations: { lang: string; text: string; by: string; at: string }[];
  actors: unknown[];
  locations: unknown[];
  sources: unknown[];
  payload: Record<string, unknown>;
  tags: string[];
  /** The survivor an entry.merged merged this entry into (issue 14). */
  merged_into: string | null;
  /** Reports merged into this survivor, as they stood when merged. */
  merged_reports: MergedReportRow[];
  /** Outgoing claim relations. */
  relations: { entryId: string; relation: string }[];
  report_count: number;
  independent_outlets: number;
  source_partition: number;
  source_offset: string;
  /** An incoming `denies`/`contradicts` from an unretracted entry (only where the read computes it). */
  disputed?: boolean;
  /** Outgoing relations with the related entry's summary (null while it is unknown), where the read resolves them. */
  relation_views?: { entryId: string; relation: string; summary: string | null }[];
  /** ts_headline of the summary with match markers (only when `q` is given). */
  snippet?: string | null;
  /** ts_headline of each translation by its lang (only when `q` is given). */
  translation_snippets?: Record<string, string> | null;
  /** Languages whose text the query matched (only when `q` is given). */
  matched_languages?: string[];
}

/** A merged report as stored on its survivor (`merged_reports`). */
export interface MergedReportRow {
  entryId: string;
  type: string;
  summary: string;
  occurredAt: string;
  recordedAt: string;
  actors: { id: string; name: string; country?: string; role: string }[];
  locations: { name: string; country: string }[];
  sources: { role: 'primary' | 'quoted' | 'reporting'; outlet: string; url: string; [k: string]: unknown }[];
}

/** Markers ts_headline puts around matches (private-use code points, stripped from the text first). */
export const MATCH_START = '\uE000';
export const MATCH_END = '\uE001';

/** The columns of {@link EntryRow} from relation alias `a` (timestamps as exact UTC text). */
export function entryColumns(a: string): string {
  return [
    `${a}.entry_id::text AS entry_id`,
    `${a}.story_id`,
    `${a}.type`,
    `${a}.cameo_code`,
    `${utcText(`${a}.occurred_at`)} AS occurred_at`,
    `${a}.occurred_precision`,
    `${utcText(`${a}.occurred_until`)} AS occurred_until`,
    `${a}.occurred_tz`,
    `${utcText(`${a}.recorded_at`)} AS recorded_at`,
    `${utcText(`${a}.updated_at`)} AS updated_at`,
    `${a}.version`,
    `${a}.status`,
    `${a}.confirmation`,
    `${a}.summary`,
    `${a}.language`,
    `${a}.language_detected_by`,
    `${a}.translations`,
    `${a}.actors`,
    `${a}.locations`,
    `${a}.sources`,
    `${a}.payload`,
    `${a}.tags`,
    `${a}.merged_into::text AS merged_into`,
    `${a}.merged_reports`,
    `${a}.relations`,
    `${a}.report_count`,
    `${a}.independent_outlets`,
    `${a}.source_partition`,
    `${a}.source_offset::text AS source_offset`,
  ].join(', ');
}

/**
 * The entries relation, aliased `e`: the projection's current rows, or with `asOf` the versions
 * valid at that recorded time (`recorded_from <= T < recorded_to`) shaped like current rows. An
 * entry's `recorded_at` is when it was first recorded (its first version), so sort order does not
 * change when it is corrected.
 */
export function entriesRelation(schema: string, projection: string, asOf: Instant | undefined, p: SqlParams): string {
  const s = ident(schema);
  if (!asOf) return `${s}.timeline_entries e`;
  const proj = p.bind(projection);
  const t = p.bind(asOf.iso, 'timestamptz');
  return `(
    SELECT v.projection, v.entry_id, v.story_id, v.type, v.cameo_code, v.occurred_at, v.occurred_precision,
           v.occurred_until, v.occurred_tz,
           (SELECT min(v1.recorded_from) FROM ${s}.entry_versions v1
             WHERE v1.projection = v.projection AND v1.entry_id = v.entry_id) AS recorded_at,
           v.recorded_from AS updated_at, v.version, v.status, v.confirmation, v.summary, v.language,
           v.language_detected_by, v.translations, v.actors, v.locations, v.sources, v.payload, v.tags, v.actor_ids,
           v.countries, v.search_text, v.search_texts, ${s}.entry_search_vector(v.search_texts) AS search,
           v.merged_into, v.merged_reports, v.relations, v.report_count, v.independent_outlets,
           v.source_partition, v.source_offset
      FROM ${s}.entry_versions v
     WHERE v.projection = ${proj} AND v.recorded_from <= ${t} AND (v.recorded_to IS NULL OR v.recorded_to > ${t})
  ) e`;
}

/** Options of {@link filterPredicates}. */
export interface PredicateOptions {
  /** Expression of the row's tsvector. @default `${alias}.search` */
  search?: string;
  /** Data schema (unquoted) holding `search_config`; qualifies the search functions. */
  schema?: string;
  /** Keep retracted rows regardless of the filter (the stream always reports retractions). */
  keepRetracted?: boolean;
}

/** WHERE conditions for the shared filters over relation alias `a`; every value is a bind parameter. */
export function filterPredicates(f: TimelineFilter, p: SqlParams, a: string, opts: PredicateOptions = {}): string[] {
  const w: string[] = [];
  if (f.types.length) w.push(`${a}.type = ANY(${p.bind(f.types, 'text[]')})`);
  if (f.actors.length || f.actorNameParts.length) {
    const any: string[] = [];
    if (f.actors.length) any.push(`${a}.actor_ids && ${p.bind(f.actors, 'text[]')}`);
    if (f.actorNameParts.length) {
      const parts = p.bind(f.actorNameParts, 'text[]');
      any.push(
        `EXISTS (SELECT 1 FROM unnest(${a}.actor_ids) AS x(id) WHERE x.id = ANY(${parts}) OR regexp_replace(x.id, '^.*-', '') = ANY(${parts}))`,
      );
    }
    w.push(`(${any.join(' OR ')})`);
  }
  if (f.countries.length) w.push(`${a}.countries && ${p.bind(f.countries, 'text[]')}`);
  if (f.tags.length) w.push(`${a}.tags && ${p.bind(f.tags, 'text[]')}`);
  if (f.stories.length) w.push(`${a}.story_id = ANY(${p.bind(f.stories, 'text[]')})`);
  if (f.confirmation.length) w.push(`${a}.confirmation = ANY(${p.bind(f.confirmation, 'text[]')})`);
  if (f.locations.length) {
    const names = p.bind(f.locations, 'text[]');
    w.push(
      `EXISTS (SELECT 1 FROM jsonb_array_elements(${a}.locations) AS l(loc)
               WHERE lower(l.loc->>'name') = ANY(${names}) OR lower(l.loc->>'admin1') = ANY(${names}))`,
    );
  }
  if (f.q) {
    const tsq = searchTsquery(parseSearch(f.q, nameRegistry()), p, opts.schema);
    w.push(tsq ? `${opts.search ?? `${a}.search`} @@ (${tsq})` : 'false');
  }
  // Interval overlap: a "week of 10–20 Feb" entry belongs to a query starting on 15 Feb.
  if (f.from) w.push(`coalesce(${a}.occurred_until, ${a}.occurred_at) >= ${p.bind(f.from.iso, 'timestamptz')}`);
  if (f.to) {
    w.push(
      f.to.dateOnly
        ? `${a}.occurred_at < ${p.bind(toExclusiveIso(f.to), 'timestamptz')}`
        : `${a}.occurred_at <= ${p.bind(f.to.iso, 'timestamptz')}`,
    );
  }
  if (!f.includeRetracted && !opts.keepRetracted) w.push(`${a}.status <> 'retracted'`);
  // A merged entry is a report of its survivor: out of lists, still addressable (the stream reports the change).
  if (!opts.keepRetracted) w.push(`${a}.merged_into IS NULL`);
  if (f.minIndependentSources) w.push(`${a}.independent_outlets >= ${p.bind(f.minIndependentSources, 'int')}`);
  return w;
}

/**
 * The entry rows valid now, or at `asOf`, as a FROM item without alias (for lookups correlated to
 * an outer row by `projection` and `entry_id`).
 */
export function entriesAt(schema: string, asOf: Instant | undefined, p: SqlParams): string {
  const s = ident(schema);
  if (!asOf) return `${s}.timeline_entries`;
  const t = p.bind(asOf.iso, 'timestamptz');
  return `(SELECT * FROM ${s}.entry_versions WHERE recorded_from <= ${t} AND (recorded_to IS NULL OR recorded_to > ${t}))`;
}

/** Relations that make an entry disputed when they come in from an entry that is not retracted. */
export const DISPUTING_RELATIONS = ['denies', 'contradicts'] as const;

/**
 * `relation_views` for rows of alias `a`: links resolve at read time, so a link to an
 * entry that arrives later is resolved from then on (and, with `asOf`, as known at that time).
 */
export function relationColumns(schema: string, asOf: Instant | undefined, p: SqlParams, a: string): string {
  // `disputed` is not computed here: a per-row EXISTS over every entry's relations was planned as a
  // sequential scan per row (37 s for a page of 500 at 20,000 entries); see disputedTargetsSql.
  return `(SELECT coalesce(jsonb_agg(jsonb_build_object('entryId', x.r->>'entryId', 'relation', x.r->>'relation', 'summary', t.summary)
                                     ORDER BY x.n), '[]'::jsonb)
             FROM jsonb_array_elements(${a}.relations) WITH ORDINALITY AS x(r, n)
             LEFT JOIN ${entriesAt(schema, asOf, p)} t ON t.projection = ${a}.projection AND t.entry_id = (x.r->>'entryId')::uuid) AS relation_views`;
}

/**
 * Which of `targets` (entry ids) an entry that is not retracted denies or contradicts, in one
 * statement for a whole page: only the entries that carry claim links are read (partial indexes
 * `*_claims_idx`, migration ClaimLinks1764500000000), so the cost follows the number of claims, not
 * the page or the timeline. As known at `asOf` when given.
 */
export function disputedTargetsSql(schema: string, projection: string, targets: string[], asOf: Instant | undefined, p: SqlParams): string {
  return `SELECT DISTINCT x.rel->>'entryId' AS target
            FROM ${entriesAt(schema, asOf, p)} d, jsonb_array_elements(d.relations) AS x(rel)
           WHERE d.projection = ${p.bind(projection)} AND d.relations <> '[]'::jsonb AND d.status <> 'retracted'
             AND x.rel->>'relation' = ANY(${p.bind([...DISPUTING_RELATIONS], 'text[]')})
             AND x.rel->>'entryId' = ANY(${p.bind(targets, 'text[]')})`;
}

/**
 * Only with `q`: ts_headline of the summary (in its language's configuration) and of each translation
 * (in its own) with {@link MATCH_START}/{@link MATCH_END} around matches, and the matched languages.
 */
export function searchColumns(q: string, p: SqlParams, a: string, schema: string): string {
  const tsq = searchTsquery(parseSearch(q, nameRegistry()), p, schema) ?? `''::tsquery`;
  const cfg = `${ident(schema)}.search_config`;
  const markers = p.bind(MATCH_START + MATCH_END);
  const opts = p.bind(`StartSel=${MATCH_START}, StopSel=${MATCH_END}, HighlightAll=true`);
  return `ts_headline(${cfg}(${a}.language), translate(${a}.summary, ${markers}, ''), (${tsq}), ${opts}) AS snippet,
          (SELECT jsonb_object_agg(t->>'lang', ts_headline(${cfg}(t->>'lang'), translate(t->>'text', ${markers}, ''), (${tsq}), ${opts}))
             FROM jsonb_array_elements(${a}.translations) AS t) AS translation_snippets,
          ${matchedLanguagesColumn(tsq, a, schema)}`;
}

/** Keyset condition: rows strictly after `key` in timeline order `order` (or by corroboration first, see {@link timelineOrder}). */
export function keysetAfter(key: PageKey, order: SortOrder, p: SqlParams, a: string, sort: SortKey = 'time'): string {
  const op = order === 'asc' ? '>' : '<';
  const time = [p.bind(key.occurredAt, 'timestamptz'), p.bind(key.recordedAt, 'timestamptz'), p.bind(key.entryId, 'uuid')];
  if (sort === 'corroboration') {
    const c = key.corroboration ?? { independentOutlets: 0, reports: 0 };
    // Counts always descend: negated for an ascending time order, so one row comparison covers both.
    const sign = order === 'asc' ? '-' : '';
    return `(${sign}${a}.independent_outlets, ${sign}${a}.report_count, ${a}.occurred_at, ${a}.recorded_at, ${a}.entry_id) ${op} (${sign}${p.bind(
      c.independentOutlets,
      'int',
    )}::int, ${sign}${p.bind(c.reports, 'int')}::int, ${time.join(', ')})`;
  }
  return `(${a}.occurred_at, ${a}.recorded_at, ${a}.entry_id) ${op} (${time.join(', ')})`;
}

/**
 * ORDER BY of the timeline (whitelisted: only `asc`/`desc` reach this string). `corroboration` sorts
 * by independent outlets, then reports, most first, then in timeline order `order`.
 */
export function timelineOrder(order: SortOrder, a: string, sort: SortKey = 'time'): string {
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  const time = `${a}.occurred_at ${dir}, ${a}.recorded_at ${dir}, ${a}.entry_id ${dir}`;
  if (sort !== 'corroboration') return time;
  return order === 'asc'
    ? `(-${a}.independent_outlets) ASC, (-${a}.report_count) ASC, ${time}`
    : `${a}.independent_outlets DESC, ${a}.report_count DESC, ${time}`;
}

export { SqlParams };
