import type { ApiSchemas, AsOfParam, FilterParam, OrderParam } from './api-client.js';

/** The API's entry view as the dashboard reads it (see docs/api.md), as the OpenAPI document declares it. */
export type Entry = ApiSchemas['EntryDto'];
export type TimelinePage = ApiSchemas['TimelinePageDto'];
export type Stats = ApiSchemas['StatsDto'];

export interface EntryChange {
  /** merged/split/related: an entry.merged, entry.split or entry.related changed the entry (issue 14). */
  change: 'created' | 'corrected' | 'retracted' | 'merged' | 'split' | 'related';
  version: number;
  severity: 'substantive' | 'minor' | null;
  note: string | null;
  recordedAt: string;
  entry: Entry;
}

/** What the filter form selects; mirrors the API's query parameters. */
export interface Filters {
  types: string[];
  /** Several at once: an entry matches when it has any of them (the API's list semantics). */
  actors: string[];
  countries: string[];
  tags: string[];
  /** Place names or regions, matched case-insensitively by the API. */
  locations: string[];
  stories: string[];
  /** Only independently confirmed entries, only reported ones (one side's claim), or both (''). */
  confirmation: '' | 'confirmed' | 'reported';
  /** Only entries backed by at least this many independent outlets (issue 14); 0: any. */
  minSources: number;
  q: string;
  from: string;
  to: string;
  asOf: string;
  includeRetracted: boolean;
  order: 'asc' | 'desc';
}

export const EMPTY_FILTERS: Filters = {
  types: [],
  actors: [],
  countries: [],
  tags: [],
  locations: [],
  stories: [],
  confirmation: '',
  minSources: 0,
  q: '',
  from: '',
  to: '',
  asOf: '',
  includeRetracted: false,
  order: 'desc',
};

/** Query parameters for the API (only set filters; `order` only where the endpoint takes it). */
export function filterParams(f: Filters, opts: { order?: boolean; asOf?: boolean } = {}): URLSearchParams {
  const p = new URLSearchParams();
  // Typed names: each must be a parameter of the endpoints these parameters go to (api-client.ts).
  const add = (name: FilterParam | AsOfParam | OrderParam, value: string) => p.append(name, value);
  for (const t of f.types) add('type', t);
  for (const a of f.actors) add('actor', a);
  for (const c of f.countries) add('country', c);
  for (const t of f.tags) add('tag', t);
  for (const l of f.locations) add('location', l);
  for (const s of f.stories) add('story', s);
  if (f.confirmation) add('confirmation', f.confirmation);
  if (f.minSources > 0) add('minIndependentSources', String(f.minSources));
  if (f.q.trim()) add('q', f.q.trim());
  if (f.from) add('from', f.from);
  if (f.to) add('to', f.to);
  if (f.includeRetracted) add('includeRetracted', 'true');
  if (opts.asOf !== false && f.asOf) add('asOf', f.asOf);
  if (opts.order && f.order !== 'asc') add('order', f.order);
  return p;
}

/** Filters from the page URL (shareable links), ignoring anything malformed. */
export function filtersFromUrl(search: string): Filters {
  const p = new URLSearchParams(search);
  const date = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : '');
  const list = (name: string, valid: RegExp) => [
    ...new Set(
      p
        .getAll(name)
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => valid.test(v)),
    ),
  ];
  const SLUG = /^[a-z0-9][a-z0-9._-]{0,79}$/;
  return {
    types: p
      .getAll('type')
      .flatMap((t) => t.split(','))
      .filter((t) => /^[a-z]+(\.[a-z]+)+$/.test(t)),
    actors: list('actor', SLUG),
    countries: list('country', /^[A-Z]{2}$/),
    tags: list('tag', SLUG),
    locations: list('location', /^[^\u0000]{1,200}$/),
    stories: list('story', SLUG),
    confirmation:
      p.get('confirmation') === 'confirmed' || p.get('confirmation') === 'reported' ? (p.get('confirmation') as 'confirmed') : '',
    minSources: /^[1-9]\d?$/.test(p.get('minIndependentSources') ?? '') ? Number(p.get('minIndependentSources')) : 0,
    q: (p.get('q') ?? '').slice(0, 200),
    from: date(p.get('from')),
    to: date(p.get('to')),
    asOf: /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(p.get('asOf') ?? '') ? (p.get('asOf') as string) : '',
    includeRetracted: p.get('includeRetracted') === 'true',
    order: p.get('order') === 'asc' ? 'asc' : 'desc',
  };
}

/** Timeline order: occurredAt, then recordedAt, then id (the API's keyset order). */
export function compareEntries(a: Entry, b: Entry): number {
  return (
    Date.parse(a.occurredAt) - Date.parse(b.occurredAt) ||
    Date.parse(a.recordedAt) - Date.parse(b.recordedAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Entries grouped by calendar day (in each entry's reported zone), groups and entries in `order`. */
export function groupByDay(entries: readonly Entry[], order: 'asc' | 'desc'): { day: string; entries: Entry[] }[] {
  const sorted = [...entries].sort((a, b) => (order === 'asc' ? compareEntries(a, b) : compareEntries(b, a)));
  const groups: { day: string; entries: Entry[] }[] = [];
  for (const e of sorted) {
    const last = groups[groups.length - 1];
    if (last && last.day === e.day) last.entries.push(e);
    else groups.push({ day: e.day, entries: [e] });
  }
  return groups;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** `2022-01-24` → `Monday 24 January 2022` (a calendar day; no time zone conversion). */
export function dayHeading(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${weekday} ${d} ${MONTHS[m - 1]} ${y}`;
}

/** Every day from `first` to `last` inclusive (`YYYY-MM-DD`), for a chart axis without gaps. */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end && out.length < 5000; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Whether a live entry belongs in the loaded slice (not beyond the last loaded entry while more pages exist). */
export function withinLoadedRange(e: Entry, loaded: readonly Entry[], hasMore: boolean, order: 'asc' | 'desc'): boolean {
  if (!hasMore || loaded.length === 0) return true;
  const edge = loaded.reduce((acc, x) => (order === 'asc' ? (compareEntries(x, acc) > 0 ? x : acc) : compareEntries(x, acc) < 0 ? x : acc));
  return order === 'asc' ? compareEntries(e, edge) <= 0 : compareEntries(e, edge) >= 0;
}

/**
 * "Arlington, Virginia (US)": the place, its region when the name does not already say it (issue 15:
 * a name "Arlington, Virginia" with admin1 "Virginia" read "Arlington, Virginia, Virginia (US)"), and
 * the country. Identical labels of one entry are shown once.
 */
export function placeLabels(locations: readonly { name: string; country: string; admin1?: string }[]): string[] {
  const label = (l: { name: string; country: string; admin1?: string }) => {
    const named = l.name.toLowerCase().split(/,\s*/);
    const region = l.admin1 && !named.includes(l.admin1.toLowerCase()) ? `, ${l.admin1}` : '';
    return `${l.name}${region} (${l.country})`;
  };
  return [...new Set(locations.map(label))];
}

/**
 * The date as the card shows it: the API's display date, with an hour-precision time read as
 * approximate (issue 15: "05:00" looked exact where the source said "shortly before 6 a.m.").
 */
export function displayWhen(e: Pick<Entry, 'displayDate' | 'occurredAtPrecision'>): string {
  return e.occurredAtPrecision === 'hour' ? e.displayDate.replace(/(^|[\s,])(\d{2}:\d{2})(?!:)/, '$1about $2') : e.displayDate;
}

/** One field that differs between two versions of an entry. */
export interface FieldChange {
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

/** What a correction changed, field by field, in the words a reader sees (dates included). */
export function versionDiff(
  before: Entry,
  after: Entry,
  words: { date?: (e: Entry) => string; confirmation?: (c: Entry['confirmation']) => string } = {},
): FieldChange[] {
  const fields: [string, (e: Entry) => string][] = [
    ['Date', words.date ?? ((e) => displayWhen(e))],
    ['Summary', (e) => e.summary],
    ['Confirmation', (e) => (words.confirmation ? words.confirmation(e.confirmation) : e.confirmation)],
    ['Actors', (e) => e.actors.map((a) => a.name).join(', ')],
    ['Places', (e) => placeLabels(e.locations).join(' · ')],
    ['Sources', (e) => e.sources.map((src) => src.outlet).join(', ')],
    ['Tags', (e) => e.tags.join(', ')],
    ['Status', (e) => e.status],
  ];
  return fields
    .map(([field, read]) => ({ field, before: read(before), after: read(after) }))
    .filter((c) => c.before !== c.after && c.field !== 'Status');
}
