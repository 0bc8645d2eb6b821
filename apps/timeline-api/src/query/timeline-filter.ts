import { createHash } from 'node:crypto';
import { eventCatalogue, parseCalendarDate, parseTimestamp, SUPPORTED_RANGE } from '@timeline/events';
import { ACTOR_NAME, resolveActors } from '../search/actor-filter.js';
import { nameRegistry } from '../search/name-registry.js';
import { QueryReader, type RawQuery } from './query-reader.js';

/** Sort direction of the timeline (`occurred_at, recorded_at, entry_id`). */
export type SortOrder = 'asc' | 'desc';

/**
 * What `GET /v1/timeline` sorts by first: `time` (the timeline order), or `corroboration` (most
 * independent outlets first, then most reports, then the timeline order in `order`).
 */
export type SortKey = 'time' | 'corroboration';
export const SORT_KEYS: readonly SortKey[] = ['time', 'corroboration'];

/** A validated instant: `iso` is a normalised RFC 3339 UTC timestamp safe to bind as timestamptz. */
export interface Instant {
  readonly iso: string;
  /** The same instant in milliseconds since the epoch. */
  readonly epochMs: number;
  /** True when the client gave a calendar date only (`2022-01-24`). */
  readonly dateOnly: boolean;
}

/** The filters shared by the timeline, stats, export and stream endpoints (all validated). */
export interface TimelineFilter {
  readonly types: readonly string[];
  /** Actor ids (given, or an alias-registry name's). */
  readonly actors: readonly string[];
  /** Transliterated slugs of actor names the registry does not know, matched as an id's last part. */
  readonly actorNameParts: readonly string[];
  readonly countries: readonly string[];
  /** Lower-cased location names (matched case-insensitively against name and admin1). */
  readonly locations: readonly string[];
  readonly tags: readonly string[];
  readonly stories: readonly string[];
  /** `confirmed` (independently confirmed) and/or `reported` (one side's claim); empty = both. */
  readonly confirmation: readonly Confirmation[];
  readonly q?: string;
  /** Entries whose occurred interval ends at or after this instant. */
  readonly from?: Instant;
  /** Entries that started at or before this instant (a date covers its whole day). */
  readonly to?: Instant;
  readonly includeRetracted: boolean;
  /** Only entries corroborated by at least this many independent outlets (issue 14). */
  readonly minIndependentSources?: number;
  /** Answer from the versions valid at this recorded time instead of the current state. */
  readonly asOf?: Instant;
}

/** How sure the newsroom is of an entry (the entry's `confirmation`). */
export type Confirmation = 'confirmed' | 'reported';
export const CONFIRMATIONS: readonly Confirmation[] = ['confirmed', 'reported'];

/** Parameters every filtered endpoint accepts. */
export const FILTER_PARAMS = [
  'type',
  'actor',
  'country',
  'location',
  'tag',
  'story',
  'confirmation',
  'q',
  'from',
  'to',
  'includeRetracted',
  'minIndependentSources',
  'asOf',
] as const;

/** Bounds of `minIndependentSources`. */
export const MAX_INDEPENDENT_SOURCES = 100;

const SLUG = /^[a-z0-9][a-z0-9._-]{0,79}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Query strings are typed by people: a space for the `T`, and seconds may be left out.
const LENIENT_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Entry types a client may filter by: the catalogue's non-meta types (meta events never form entries). */
export function entryTypeNames(): string[] {
  return eventCatalogue
    .definitions()
    .filter((d) => !d.meta)
    .map((d) => d.type);
}

/**
 * Parses `YYYY-MM-DD` or an RFC 3339 timestamp with offset under the catalogue's one timestamp rule
 * (`@timeline/events` parseTimestamp: real dates, years 0001–9999 in UTC, offsets ±15:59) — so every
 * instant that reaches SQL is one PostgreSQL and `Date` both represent. The failure message, or the instant.
 */
export function parseInstantOrReason(value: string): Instant | string {
  if (DATE.test(value)) {
    const d = parseCalendarDate(value);
    return d.ok ? { iso: d.iso, epochMs: d.epochMs, dateOnly: true } : d.message;
  }
  const m = LENIENT_DATE_TIME.exec(value);
  if (!m) return 'must be a date (2022-01-24) or an RFC 3339 timestamp with offset (2022-01-24T10:00:00Z)';
  const t = parseTimestamp(`${m[1]}T${m[2]}${m[3] ?? ':00'}${m[4]}`);
  return t.ok ? { iso: t.iso, epochMs: t.epochMs, dateOnly: false } : t.message;
}

/** {@link parseInstantOrReason}, undefined when it is not a supported instant. */
export function parseInstant(value: string): Instant | undefined {
  const r = parseInstantOrReason(value);
  return typeof r === 'string' ? undefined : r;
}

function readInstant(r: QueryReader, name: string): Instant | undefined {
  const v = r.single(name, 40);
  if (v === undefined) return undefined;
  const parsed = parseInstantOrReason(v);
  if (typeof parsed === 'string')
    return r.fail(name, `${parsed} (supported: ${SUPPORTED_RANGE.first.slice(0, 10)} to ${SUPPORTED_RANGE.last.slice(0, 10)})`);
  return parsed;
}

/** Reads and validates the shared filters from `r` (problems are collected in the reader). */
export function readFilter(r: QueryReader, opts: { asOf?: boolean } = {}): TimelineFilter {
  const known = entryTypeNames();
  const types = r.list('type', (v) => (known.includes(v) ? undefined : `has unknown type "${v}"; known types: ${known.join(', ')}`), 80);
  const slug = (what: string) => (v: string) => (SLUG.test(v) ? undefined : `must be ${what} ids (lower-case slugs), got "${v}"`);
  const actorValues = r.list(
    'actor',
    (v) =>
      SLUG.test(v) || ACTOR_NAME.test(v) ? undefined : `must be actor ids (lower-case slugs) or names (Zelensky, Зеленський), got "${v}"`,
    100,
  );
  const resolved = resolveActors(actorValues, nameRegistry());
  const countries = r
    .list('country', (v) => (/^[A-Za-z]{2}$/.test(v) ? undefined : `must be ISO 3166-1 alpha-2 codes (UA, RU), got "${v}"`), 2)
    .map((c) => c.toUpperCase());
  const locations = r.list('location', () => undefined, 200).map((l) => l.toLowerCase());
  const tags = r.list('tag', slug('tag'), 80);
  const stories = r.list('story', slug('story'), 80);
  const confirmation = r.list(
    'confirmation',
    (v) => ((CONFIRMATIONS as readonly string[]).includes(v) ? undefined : `must be ${CONFIRMATIONS.join(' or ')}, got "${v}"`),
    20,
  ) as Confirmation[];
  const qRaw = r.single('q', 200);
  const q = qRaw?.trim() === '' ? undefined : qRaw?.trim();
  const from = readInstant(r, 'from');
  const to = readInstant(r, 'to');
  // A date-only `to` covers its whole day, so `from=2022-01-24&to=2022-01-24` is one valid day.
  if (from && to && from.epochMs >= exclusiveEndMs(to) + (to.dateOnly ? 0 : 1)) {
    r.fail('to', 'must not be before "from"');
  }
  const includeRetracted = r.bool('includeRetracted', false);
  const minIndependent = r.int('minIndependentSources', 0, 1, MAX_INDEPENDENT_SOURCES);
  const asOf = opts.asOf === false ? undefined : readInstant(r, 'asOf');
  return {
    types,
    actors: resolved.ids,
    actorNameParts: resolved.nameParts,
    countries: [...new Set(countries)],
    locations: [...new Set(locations)],
    tags,
    stories,
    confirmation: [...new Set(confirmation)],
    ...(q ? { q } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    includeRetracted,
    ...(minIndependent > 0 ? { minIndependentSources: minIndependent } : {}),
    ...(asOf ? { asOf } : {}),
  };
}

/** For a date-only `to`, the start of the next day (exclusive bound); else the instant itself. */
export function toExclusiveIso(to: Instant): string {
  if (!to.dateOnly) return to.iso;
  // The day after 9999-12-31 is a timestamptz PostgreSQL knows but Date.toISOString writes as
  // "+010000-…", which PostgreSQL refuses (issue 19: `to=9999-12-31` was a 500).
  const end = exclusiveEndMs(to);
  return end >= Date.UTC(10000, 0, 1) ? '10000-01-01T00:00:00Z' : new Date(end).toISOString();
}

function exclusiveEndMs(to: Instant): number {
  return to.dateOnly ? to.epochMs + 86_400_000 : to.epochMs;
}

/** A short digest of everything that defines a result set, bound into cursors so they cannot be reused across queries. */
export function filterFingerprint(filter: TimelineFilter, order: SortOrder, sort: SortKey = 'time'): string {
  const canonical = JSON.stringify([
    // `time` adds nothing, so cursors issued before `sort` existed stay valid.
    ...(sort === 'time' ? [] : [sort]),
    order,
    [...filter.types].sort(),
    [...filter.actors].sort(),
    [...filter.actorNameParts].sort(),
    [...filter.countries].sort(),
    [...filter.locations].sort(),
    [...filter.tags].sort(),
    [...filter.stories].sort(),
    [...filter.confirmation].sort(),
    filter.q ?? null,
    filter.from?.iso ?? null,
    filter.to ? [filter.to.iso, filter.to.dateOnly] : null,
    filter.includeRetracted,
    filter.asOf?.iso ?? null,
    filter.minIndependentSources ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

/** `GET /v1/timeline` parameters. */
export interface TimelineQuery {
  readonly filter: TimelineFilter;
  readonly limit: number;
  readonly order: SortOrder;
  readonly sort: SortKey;
  readonly cursor?: string;
}

/** Largest page of `GET /v1/timeline`. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export function parseTimelineQuery(raw: RawQuery): TimelineQuery {
  const r = new QueryReader(raw, [...FILTER_PARAMS, 'limit', 'order', 'sort', 'cursor']);
  const filter = readFilter(r);
  const limit = r.int('limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const order = r.oneOf('order', ['asc', 'desc'] as const, 'asc');
  const sort = r.oneOf('sort', SORT_KEYS, 'time');
  const cursor = r.single('cursor', 2000);
  r.done();
  return { filter, limit, order, sort, ...(cursor ? { cursor } : {}) };
}

/** `GET /v1/stats` parameters. */
export interface StatsQuery {
  readonly filter: TimelineFilter;
  readonly bucket: 'day' | 'week';
}

export function parseStatsQuery(raw: RawQuery): StatsQuery {
  const r = new QueryReader(raw, [...FILTER_PARAMS, 'bucket']);
  const filter = readFilter(r);
  const bucket = r.oneOf('bucket', ['day', 'week'] as const, 'day');
  r.done();
  return { filter, bucket };
}

/** Export formats of `GET /v1/export`. */
export const EXPORT_FORMATS = ['ndjson', 'csv', 'timelinejs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `GET /v1/export` parameters. */
export interface ExportQuery {
  readonly filter: TimelineFilter;
  readonly format: ExportFormat;
  readonly order: SortOrder;
}

export function parseExportQuery(raw: RawQuery): ExportQuery {
  const r = new QueryReader(raw, [...FILTER_PARAMS, 'format', 'order']);
  const filter = readFilter(r);
  const format = r.oneOf('format', EXPORT_FORMATS, 'ndjson');
  const order = r.oneOf('order', ['asc', 'desc'] as const, 'asc');
  r.done();
  return { filter, format, order };
}

/** `GET /v1/stream` parameters (no asOf: a live stream is always "now"). */
export interface StreamQuery {
  readonly filter: TimelineFilter;
  /** Resume token from the query string (EventSource cannot set headers on its first request). */
  readonly lastEventId?: string;
}

export function parseStreamQuery(raw: RawQuery): StreamQuery {
  const r = new QueryReader(raw, [...FILTER_PARAMS.filter((p) => p !== 'asOf'), 'lastEventId']);
  const filter = readFilter(r, { asOf: false });
  const lastEventId = r.single('lastEventId', 4000);
  r.done();
  return { filter, ...(lastEventId ? { lastEventId } : {}) };
}

/** `GET /v1/entries/:id` parameters. */
export function parseEntryQuery(raw: RawQuery, id: string): { id: string; asOf?: Instant } {
  const r = new QueryReader(raw, ['asOf']);
  const asOf = readInstant(r, 'asOf');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) r.fail('id', 'must be a UUID');
  r.done();
  return { id: id.toLowerCase(), ...(asOf ? { asOf } : {}) };
}

/** Default and largest number of duplicate candidates per request. */
export const DEFAULT_CANDIDATES = 10;
export const MAX_CANDIDATES = 100;

/** `GET /v1/entries/:id/candidates` and `GET /v1/stories/:storyId/candidates` parameters. */
export interface CandidatesQuery {
  readonly limit: number;
  readonly minScore: number;
}

/** Parses the candidate endpoints' query; `path` is the entry id or story id (validated here too). */
export function parseCandidatesQuery(raw: RawQuery, path: { id?: string; storyId?: string }): CandidatesQuery {
  const r = new QueryReader(raw, ['limit', 'minScore']);
  if (path.id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(path.id))
    r.fail('id', 'must be a UUID');
  if (path.storyId !== undefined && !SLUG.test(path.storyId)) r.fail('storyId', 'must be a story id (lower-case slug)');
  const limit = r.int('limit', DEFAULT_CANDIDATES, 1, MAX_CANDIDATES);
  const scoreText = r.single('minScore', 20);
  let minScore = 0;
  if (scoreText !== undefined) {
    const n = /^(0(\.\d{1,6})?|1(\.0{1,6})?)$/.test(scoreText) ? Number(scoreText) : NaN;
    if (Number.isNaN(n)) r.fail('minScore', 'must be a number between 0 and 1 (e.g. 0.5)');
    else minScore = n;
  }
  r.done();
  return { limit, minScore };
}
