import { corroborationOf, eventCatalogue, type Actor, type Corroboration, type Location, type Source } from '@timeline/events';
import { accumulated, type MergedReport } from '@timeline/store';
import type { ChangeNoticeRow, IncomingRelationRow, VersionRow } from '../read-model/timeline-reader.js';
import { MATCH_END, MATCH_START, type EntryRow } from '../read-model/timeline-sql.js';
import { dateParts, displayDate, localDay, type DateParts } from './display-date.js';

/** A correction or retraction notice, as newsrooms label them (never a silent edit). */
export interface ChangeNoticeView {
  version: number;
  change: ChangeNoticeRow['change'];
  severity: 'substantive' | 'minor' | null;
  note: string | null;
  recordedAt: string;
}

/** A piece of a search snippet; `match` pieces are the words the query found. */
export interface SnippetSegment {
  text: string;
  match: boolean;
}

/** A translation of the summary (issue 16). */
export interface TranslationView {
  lang: string;
  text: string;
  /** `editor` or `machine:<engine>`. */
  by: string;
  at: string;
  snippet?: SnippetSegment[];
}

/** A claim relation of an entry (issue 14): the other entry, how, and what it says (null while unknown). */
export interface RelationView {
  entryId: string;
  relation: string;
  summary: string | null;
  /** Incoming only, when the link names one of this survivor's merged reports rather than the entry itself. */
  viaReport?: string;
}

/** A report merged into a survivor, as it stood when merged. */
export interface ReportView {
  entryId: string;
  type: string;
  summary: string;
  occurredAt: string;
  recordedAt: string;
  sources: unknown[];
}

/** One timeline entry as the API returns it. */
export interface EntryView {
  id: string;
  storyId: string;
  type: string;
  typeTitle: string;
  cameoCode: string | null;
  occurredAt: string;
  occurredAtPrecision: EntryRow['occurred_precision'];
  occurredUntil: string | null;
  occurredTz: string | null;
  /** Human date only as precise as reported ("24 January 2022" for a day-precision event). */
  displayDate: string;
  /** Calendar day (in the reported zone) the entry belongs to, `YYYY-MM-DD`. */
  day: string;
  /** Date fields only as precise as reported (no hour for a day-precision event). */
  date: DateParts;
  recordedAt: string;
  updatedAt: string;
  version: number;
  status: EntryRow['status'];
  confirmation: EntryRow['confirmation'];
  summary: string;
  /** BCP 47 language of summary. */
  language: string;
  /** `machine:<engine>` when the language was detected rather than stated; null when stated. */
  languageDetectedBy: string | null;
  /** The summary in other languages, each with who made it; with `q`, a `snippet` where it matched. */
  translations: TranslationView[];
  actors: unknown[];
  locations: unknown[];
  sources: unknown[];
  tags: string[];
  payload: Record<string, unknown>;
  corrections: ChangeNoticeView[];
  /** The survivor this entry was merged into (it then leaves the lists); null while it is an entry of its own. */
  mergedInto: string | null;
  /** Entries merged into this one (the survivor). */
  mergedIds: string[];
  /** Those merged reports, as they stood when merged. */
  reports: ReportView[];
  corroboration: Corroboration;
  /** An unretracted entry denies or contradicts this one. */
  disputed: boolean;
  /** Outgoing links (with the related entry's summary); `incoming` only on `/v1/entries/:id`. */
  relations: { outgoing: RelationView[]; incoming?: RelationView[] };
  snippet?: SnippetSegment[];
  /** Only with `q`: the languages (primary subtags) whose text the query matched, e.g. `["uk"]`. */
  matchedLanguages?: string[];
  /**
   * Present only when a stored value could not be rendered (a row written before today's validity
   * rule): the raw values are still given, the human fields say so, and the page goes on.
   */
  renderProblem?: string;
}

/** One version in an entry's history. */
export interface VersionView {
  version: number;
  eventId: string;
  change: VersionRow['change'];
  severity: VersionRow['correction_severity'];
  note: string | null;
  recordedFrom: string;
  recordedTo: string | null;
  entry: EntryView;
}

/** `2022-01-24T00:00:00.000000Z` → `2022-01-24T00:00:00Z` (keeps real sub-second digits). */
export function isoOut(text: string): string;
export function isoOut(text: string | null): string | null;
export function isoOut(text: string | null): string | null {
  if (text === null) return null;
  return text.replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

export function typeTitle(type: string): string {
  return eventCatalogue.get(type)?.title ?? type;
}

/** Splits a ts_headline result at the match markers into plain-text segments (never HTML). */
export function snippetSegments(snippet: string): SnippetSegment[] {
  const out: SnippetSegment[] = [];
  let match = false;
  let buf = '';
  for (const ch of snippet) {
    if (ch === MATCH_START || ch === MATCH_END) {
      if (buf) out.push({ text: buf, match });
      buf = '';
      match = ch === MATCH_START;
    } else {
      buf += ch;
    }
  }
  if (buf) out.push({ text: buf, match });
  return out;
}

/** The correction/retraction notices among an entry's versions (creations are not notices). */
export function noticesOf(versions: readonly VersionRow[]): ChangeNoticeRow[] {
  // Merges, splits and relations are in the history, not correction notices.
  return versions.flatMap((v) =>
    v.change !== 'corrected' && v.change !== 'retracted'
      ? []
      : [
          {
            entry_id: v.entry_id,
            version: v.version,
            change: v.change,
            correction_severity: v.correction_severity,
            change_note: v.change_note,
            recorded_from: v.recorded_from,
          },
        ],
  );
}

export function noticeView(n: ChangeNoticeRow): ChangeNoticeView {
  return {
    version: n.version,
    change: n.change,
    severity: n.correction_severity,
    note: n.change_note,
    recordedAt: isoOut(n.recorded_from),
  };
}

/** Shown in place of a date that cannot be rendered. */
export const UNRENDERABLE_DATE = 'date cannot be shown';

type RenderFailureSink = (entryId: string, problem: string) => void;
let renderFailureSink: RenderFailureSink = () => undefined;

/** Where entries that could not be fully rendered are reported (the app wires its logger here). */
export function onRenderFailure(sink: RenderFailureSink): void {
  renderFailureSink = sink;
}

/** The human date fields of a row, or the marker: one unrenderable row never breaks a page, a stream or an export. */
function dateFields(row: EntryRow): Pick<EntryView, 'displayDate' | 'day' | 'date'> & { problem?: string } {
  try {
    return {
      displayDate: displayDate(row.occurred_at, row.occurred_precision, row.occurred_until, row.occurred_tz),
      day: localDay(row.occurred_at, row.occurred_precision, row.occurred_tz),
      date: dateParts(row.occurred_at, row.occurred_precision, row.occurred_tz),
    };
  } catch (err) {
    const problem = `occurredAt ${row.occurred_at} cannot be rendered: ${(err as Error).message}`;
    renderFailureSink(row.entry_id, problem);
    const [y, m, d] = (/^(-?\d+)-(\d{2})-(\d{2})/.exec(row.occurred_at) ?? []).slice(1).map(Number);
    return {
      displayDate: UNRENDERABLE_DATE,
      day: row.occurred_at.split('T')[0] ?? '',
      date: { year: y ?? 0, month: m ?? 0, day: d ?? 0 },
      problem,
    };
  }
}

/** The incoming relations of an entry as views. */
export function incomingViews(rows: readonly IncomingRelationRow[], entryId: string): RelationView[] {
  return rows.map((r) => ({
    entryId: r.entry_id,
    relation: r.relation,
    summary: r.summary,
    ...(r.target_id !== entryId ? { viaReport: r.target_id } : {}),
  }));
}

export function entryView(row: EntryRow, notices: ChangeNoticeRow[] = []): EntryView {
  const dates = dateFields(row);
  const reports = row.merged_reports ?? [];
  // A survivor shows (and exports) what its reports add, deduplicated; corroboration counts them all.
  const own = { actors: row.actors as Actor[], locations: row.locations as Location[], sources: row.sources as Source[] };
  const shown = accumulated({ ...own, mergedReports: reports as unknown as MergedReport[] });
  const summaries = new Map((row.relation_views ?? []).map((r) => [`${r.relation}:${r.entryId}`, r.summary]));
  const view: EntryView = {
    id: row.entry_id,
    storyId: row.story_id,
    type: row.type,
    typeTitle: typeTitle(row.type),
    cameoCode: row.cameo_code,
    occurredAt: isoOut(row.occurred_at),
    occurredAtPrecision: row.occurred_precision,
    occurredUntil: isoOut(row.occurred_until),
    occurredTz: row.occurred_tz,
    displayDate: dates.displayDate,
    day: dates.day,
    date: dates.date,
    recordedAt: isoOut(row.recorded_at),
    updatedAt: isoOut(row.updated_at),
    version: row.version,
    status: row.status,
    confirmation: row.confirmation,
    summary: row.summary,
    language: row.language,
    languageDetectedBy: row.language_detected_by,
    translations: (row.translations ?? []).map((t) => {
      const snippet = row.translation_snippets?.[t.lang];
      return { lang: t.lang, text: t.text, by: t.by, at: t.at, ...(snippet ? { snippet: snippetSegments(snippet) } : {}) };
    }),
    actors: shown.actors,
    locations: shown.locations,
    sources: shown.sources,
    tags: row.tags,
    payload: row.payload,
    corrections: notices.filter((n) => n.entry_id === row.entry_id).map(noticeView),
    mergedInto: row.merged_into ?? null,
    mergedIds: reports.map((r) => r.entryId),
    reports: reports.map((r) => ({
      entryId: r.entryId,
      type: r.type,
      summary: r.summary,
      occurredAt: isoOut(r.occurredAt),
      recordedAt: isoOut(r.recordedAt),
      sources: r.sources,
    })),
    corroboration: corroborationOf([
      { recordedAt: row.recorded_at, sources: own.sources },
      ...reports.map((r) => ({ recordedAt: r.recordedAt, sources: r.sources as unknown as Source[] })),
    ]),
    disputed: row.disputed ?? false,
    relations: {
      outgoing: (row.relations ?? []).map((r) => ({
        entryId: r.entryId,
        relation: r.relation,
        summary: summaries.get(`${r.relation}:${r.entryId}`) ?? null,
      })),
    },
  };
  if (row.snippet) view.snippet = snippetSegments(row.snippet);
  if (row.matched_languages) view.matchedLanguages = row.matched_languages;
  if (dates.problem) view.renderProblem = dates.problem;
  return view;
}

export function versionView(v: VersionRow): VersionView {
  return {
    version: v.version,
    eventId: v.event_id,
    change: v.change,
    severity: v.correction_severity,
    note: v.change_note,
    recordedFrom: isoOut(v.recorded_from),
    recordedTo: isoOut(v.recorded_to),
    entry: entryView(v),
  };
}
