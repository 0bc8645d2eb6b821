import {
  baseLanguage,
  corroborationOf,
  languageOf,
  type Actor,
  type EntryCorrectedPayload,
  type EntryMergedPayload,
  type EntryRelatedPayload,
  type EntrySplitPayload,
  type Relation,
  type EntryRetractedPayload,
  type EventCatalogue,
  type EventEnvelope,
  type Location,
  type Source,
  type Translation,
} from '@timeline/events';
import { normalizeNumbers } from '../search-text.js';
import type { EventPosition } from './positioned-event.js';

/** Lifecycle of an entry as the default timeline shows it. */
export type EntryStatus = 'live' | 'corrected' | 'retracted';

/** What one version of an entry says: the fields an `entry.corrected` may replace, plus identity. */
export interface EntryContent {
  readonly entryId: string;
  readonly storyId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly cameoCode: string | null;
  readonly occurredAt: string;
  readonly occurredPrecision: 'day' | 'hour' | 'minute' | 'second';
  readonly occurredUntil: string | null;
  readonly occurredTz: string | null;
  /** When the entry's own event was recorded (the second sort key; never changed by corrections). */
  readonly recordedAt: string;
  readonly confirmation: 'confirmed' | 'reported';
  readonly summary: string;
  /** BCP 47 language of `summary` (stated, or detected: see `languageDetectedBy`). */
  readonly language: string;
  /** The detector (`machine:<engine>`) when nobody stated the language; null when a producer did. */
  readonly languageDetectedBy: string | null;
  readonly translations: readonly Translation[];
  readonly actors: readonly Actor[];
  readonly locations: readonly Location[];
  readonly sources: readonly Source[];
  readonly payload: Readonly<Record<string, unknown>>;
  readonly tags: readonly string[];
}

/** A report merged into a survivor, as it stood when merged (what the survivor accumulates). */
export interface MergedReport {
  readonly entryId: string;
  readonly type: string;
  readonly summary: string;
  /** UTC, millisecond ISO (canonical, so live and rebuilt projections store the same text). */
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly actors: readonly Actor[];
  readonly locations: readonly Location[];
  readonly sources: readonly Source[];
}

/** A claim relation from this entry to another (the other may not be projected yet). */
export interface EntryRelation {
  readonly entryId: string;
  readonly relation: Relation;
}

/** Merge and relation state of an entry (issue 14), carried through every version like the content. */
export interface EntryLinks {
  /** The survivor this entry was merged into; null while it is an entry of its own. */
  readonly mergedInto: string | null;
  /** Reports merged into this entry, in merge order. */
  readonly mergedReports: readonly MergedReport[];
  /** Outgoing claim relations, in the order they were made. */
  readonly relations: readonly EntryRelation[];
}

/** The current state of an entry: its content plus version bookkeeping. */
export interface EntrySnapshot extends EntryContent, EntryLinks {
  readonly version: number;
  readonly status: EntryStatus;
  /** `recorded_from` of the current version. */
  readonly updatedAt: string;
  /** Position of the message whose application produced the current version. */
  readonly position: Pick<EventPosition, 'partition' | 'offset'>;
}

/** What produced a version. */
export type EntryChange = 'created' | 'corrected' | 'retracted' | 'merged' | 'split' | 'related';

/** One row of `entry_versions`, before `recorded_to` is known. */
export interface EntryVersionRow extends EntrySnapshot {
  readonly eventId: string;
  readonly change: EntryChange;
  readonly correctionSeverity: 'substantive' | 'minor' | null;
  readonly changeNote: string | null;
}

/** Columns derived from the content so the API can filter and search without unpacking JSON. */
export interface DerivedColumns {
  readonly actorIds: string[];
  readonly countries: string[];
  readonly locationNames: string[];
  readonly searchText: string;
  /**
   * The text behind the full-text index by language (primary subtag: `en`, `ru`, `uk`, …) plus
   * `names` (actors, places, tags, outlets: indexed without stemming); numbers without thousands
   * separators. The database's `entry_search_vector` turns it into the `search` tsvector.
   */
  readonly searchTexts: Record<string, string>;
  /** Reports behind the entry (1 + merged reports). */
  readonly reportCount: number;
  /** Distinct originating outlets over all those reports' sources (`corroborationOf`). */
  readonly independentOutlets: number;
}

/** Why a meta event could not be applied to its target. */
export interface MetaRejection {
  readonly code:
    | 'EVENT.INVALID_CORRECTION'
    | 'EVENT.MERGE_UNKNOWN_ENTRY'
    | 'EVENT.MERGE_CROSS_STORY'
    | 'EVENT.MERGE_CYCLE'
    | 'EVENT.MERGE_RETRACTED_ENTRY'
    | 'EVENT.SPLIT_NOT_MERGED';
  readonly message: string;
}

/** UUIDs are case-insensitive; Postgres prints them lower-case, so every key in memory is lower-case too. */
export function entryKey(uuid: string): string {
  return uuid.toLowerCase();
}

/** Version 1 of the entry a regular (non-meta) event creates. */
export function createdVersion(event: EventEnvelope, cameoCode: string | null, position: EventPosition): EntryVersionRow {
  return {
    entryId: entryKey(event.eventId),
    eventId: entryKey(event.eventId),
    storyId: event.storyId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    cameoCode,
    occurredAt: event.occurredAt,
    occurredPrecision: event.occurredAtPrecision,
    occurredUntil: event.occurredUntil ?? null,
    occurredTz: event.occurredTz ?? null,
    recordedAt: event.recordedAt,
    confirmation: event.confirmation,
    summary: event.summary,
    ...languageOf(event),
    translations: event.translations ?? [],
    actors: event.actors,
    locations: event.locations,
    sources: event.sources,
    payload: event.payload,
    tags: event.tags,
    mergedInto: null,
    mergedReports: [],
    relations: distinctRelations((event.relatesTo ?? []).map((r) => ({ entryId: entryKey(r.entryId), relation: r.relation }))),
    version: 1,
    status: 'live',
    updatedAt: event.recordedAt,
    position: { partition: position.partition, offset: position.offset },
    change: 'created',
    correctionSeverity: null,
    changeNote: null,
  };
}

/**
 * The next version of `state` after a meta event (`entry.corrected` / `entry.retracted`).
 *
 * - A correction replaces only the fields it names (`payload` is merged key by key) and the result
 *   must still be a valid event of the target's type — checked by decoding the corrected envelope
 *   with the catalogue, so a correction cannot smuggle in a payload the type forbids.
 * - A retraction keeps the content and flags the entry `retracted`; a later correction of a
 *   retracted entry is kept in history but leaves it retracted (a kill is final for display).
 * - Recorded time only moves forward: the new version starts at the later of the meta event's
 *   `recordedAt` and the current version's start, so `[recorded_from, recorded_to)` never inverts
 *   when a correction recorded earlier is applied later (e.g. it waited in `pending_corrections`).
 */
export function nextVersion(
  catalogue: EventCatalogue,
  state: EntrySnapshot,
  meta: EventEnvelope,
  position: EventPosition,
): { ok: true; version: EntryVersionRow } | { ok: false; rejection: MetaRejection } {
  const recordedFrom = laterOf(meta.recordedAt, state.updatedAt);
  const common = {
    eventId: entryKey(meta.eventId),
    version: state.version + 1,
    updatedAt: recordedFrom,
    position: { partition: position.partition, offset: position.offset },
  };
  if (meta.type === 'entry.related') {
    const p = meta.payload as unknown as EntryRelatedPayload;
    const link = { entryId: entryKey(p.toId), relation: p.relation };
    const others = state.relations.filter((r) => !(r.entryId === link.entryId && r.relation === link.relation));
    return {
      ok: true,
      version: {
        ...state,
        ...common,
        relations: p.withdrawn ? others : [...others, link],
        change: 'related',
        correctionSeverity: null,
        changeNote: p.reason,
      },
    };
  }
  if (meta.type === 'entry.retracted') {
    const p = meta.payload as unknown as EntryRetractedPayload;
    return {
      ok: true,
      version: { ...state, ...common, status: 'retracted', change: 'retracted', correctionSeverity: null, changeNote: p.reason },
    };
  }
  const p = meta.payload as unknown as EntryCorrectedPayload;
  const r = p.replaces;
  const content: EntryContent = {
    ...state,
    summary: r.summary ?? state.summary,
    // A correction that states the language wins; one that replaces a detected summary is detected again.
    ...(r.language
      ? { language: r.language, languageDetectedBy: null }
      : r.summary && state.languageDetectedBy
        ? languageOf({ summary: r.summary })
        : { language: state.language, languageDetectedBy: state.languageDetectedBy }),
    translations: r.translations ?? state.translations,
    occurredAt: r.occurredAt ?? state.occurredAt,
    occurredPrecision: r.occurredAtPrecision ?? state.occurredPrecision,
    occurredUntil: r.occurredUntil ?? state.occurredUntil,
    actors: r.actors ?? state.actors,
    locations: r.locations ?? state.locations,
    sources: r.sources ?? state.sources,
    tags: r.tags ?? state.tags,
    confirmation: r.confirmation ?? state.confirmation,
    payload: r.payload ? { ...state.payload, ...r.payload } : state.payload,
  };
  const check = catalogue.decode(envelopeOf(content, cameoOverride(catalogue, state)));
  if (!check.ok) {
    const where = check.issues
      .slice(0, 5)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ');
    return {
      ok: false,
      rejection: {
        code: 'EVENT.INVALID_CORRECTION',
        message: `correction ${meta.eventId} would make entry ${state.entryId} invalid (${check.code}: ${check.message}${where ? `; ${where}` : ''})`,
      },
    };
  }
  return {
    ok: true,
    version: {
      ...content,
      mergedInto: state.mergedInto,
      mergedReports: state.mergedReports,
      relations: state.relations,
      ...common,
      cameoCode: catalogue.cameoCodeOf(check.event),
      status: state.status === 'retracted' ? 'retracted' : 'corrected',
      change: 'corrected',
      correctionSeverity: p.severity,
      changeNote: p.note,
    },
  };
}

/** Meta events that change a group of entries at once (all must exist: never deferred). */
export const GROUP_META_TYPES: readonly string[] = ['entry.merged', 'entry.split'];

/**
 * The entry a meta event is keyed on: its target, the survivor of a merge or split, the `fromId` of a
 * relation (where the link is stored). A deferred meta event waits for this entry.
 */
export function metaTarget(meta: EventEnvelope): string {
  const p = meta.payload as { targetEventId?: unknown; survivorId?: unknown; fromId?: unknown };
  return entryKey(String(p.survivorId ?? p.fromId ?? p.targetEventId));
}

/** Every entry a meta event changes (the survivor first for merges and splits). */
export function metaTargets(meta: EventEnvelope): string[] {
  if (meta.type === 'entry.merged') {
    const p = meta.payload as unknown as EntryMergedPayload;
    return [entryKey(p.survivorId), ...p.mergedIds.map(entryKey)];
  }
  if (meta.type === 'entry.split') {
    const p = meta.payload as unknown as EntrySplitPayload;
    return [entryKey(p.survivorId), ...p.splitIds.map(entryKey)];
  }
  return [metaTarget(meta)];
}

/**
 * The next versions of the survivor and the other entries an `entry.merged` / `entry.split` names,
 * or why it cannot apply (the caller dead-letters it). `current` gives each entry's state, undefined
 * when it is not projected. Rules (issue 14):
 * - every entry exists (a merge is never deferred: the reports of one story precede it on the
 *   story's partition, so a missing one is unknown, not late) and belongs to the meta event's story;
 * - merge: no entry is retracted; the survivor is not itself merged; a merged entry is neither
 *   merged already nor a survivor with merged reports of its own (no chains, no cycles);
 * - split: every named entry is currently merged into the survivor.
 * The survivor keeps its own content and lists the merged reports as they stood at the merge.
 */
export function groupVersions(
  current: (id: string) => EntrySnapshot | undefined,
  meta: EventEnvelope,
  position: EventPosition,
): { ok: true; versions: EntryVersionRow[] } | { ok: false; rejection: MetaRejection } {
  const [survivorId, ...ids] = metaTargets(meta) as [string, ...string[]];
  const reject = (code: MetaRejection['code'], why: string) => ({
    ok: false as const,
    rejection: { code, message: `${meta.type} ${meta.eventId} refused: ${why}` },
  });
  const missing = [survivorId, ...ids].filter((id) => !current(id));
  if (missing.length) return reject('EVENT.MERGE_UNKNOWN_ENTRY', `no entry ${missing.join(', ')} in this projection`);
  const survivor = current(survivorId)!;
  const others = ids.map((id) => current(id)!);
  const foreign = [survivor, ...others].filter((e) => e.storyId !== meta.storyId);
  if (foreign.length) {
    return reject(
      'EVENT.MERGE_CROSS_STORY',
      `entries of another story than ${meta.storyId}: ${foreign.map((e) => `${e.entryId} (${e.storyId})`).join(', ')}`,
    );
  }
  const common = (state: EntrySnapshot) => ({
    eventId: entryKey(meta.eventId),
    version: state.version + 1,
    updatedAt: laterOf(meta.recordedAt, state.updatedAt),
    position: { partition: position.partition, offset: position.offset },
    correctionSeverity: null,
    changeNote: (meta.payload as { reason: string }).reason,
  });
  if (meta.type === 'entry.split') {
    const notMerged = others.filter((e) => e.mergedInto !== survivorId);
    if (notMerged.length) {
      return reject('EVENT.SPLIT_NOT_MERGED', `not merged into ${survivorId}: ${notMerged.map((e) => e.entryId).join(', ')}`);
    }
    const split = new Set(ids);
    return {
      ok: true,
      versions: [
        { ...survivor, ...common(survivor), mergedReports: survivor.mergedReports.filter((r) => !split.has(r.entryId)), change: 'split' },
        ...others.map((e): EntryVersionRow => ({ ...e, ...common(e), mergedInto: null, change: 'split' })),
      ],
    };
  }
  const retracted = [survivor, ...others].filter((e) => e.status === 'retracted');
  if (retracted.length) return reject('EVENT.MERGE_RETRACTED_ENTRY', `retracted: ${retracted.map((e) => e.entryId).join(', ')}`);
  if (survivor.mergedInto) return reject('EVENT.MERGE_CYCLE', `the survivor ${survivorId} is itself merged into ${survivor.mergedInto}`);
  const merged = others.filter((e) => e.mergedInto);
  if (merged.length) {
    return reject('EVENT.MERGE_CYCLE', `already merged: ${merged.map((e) => `${e.entryId} into ${e.mergedInto}`).join(', ')}`);
  }
  const survivors = others.filter((e) => e.mergedReports.length > 0);
  if (survivors.length) {
    return reject(
      'EVENT.MERGE_CYCLE',
      `${survivors.map((e) => e.entryId).join(', ')} ha${survivors.length > 1 ? 've' : 's'} merged reports of its own (split them first, or merge them into ${survivorId} directly)`,
    );
  }
  return {
    ok: true,
    versions: [
      { ...survivor, ...common(survivor), mergedReports: [...survivor.mergedReports, ...others.map(mergedReportOf)], change: 'merged' },
      ...others.map((e): EntryVersionRow => ({ ...e, ...common(e), mergedInto: survivorId, change: 'merged' })),
    ],
  };
}

/**
 * The survivor's next version after one of its merged reports was corrected or retracted: the report
 * as it stands now (a retracted report no longer corroborates: it leaves the list), so the survivor
 * never shows what a correction took back. Undefined when `report` is not among its reports.
 */
export function survivorAfterReportChange(
  survivor: EntrySnapshot,
  report: EntrySnapshot,
  meta: EventEnvelope,
  position: EventPosition,
): EntryVersionRow | undefined {
  if (!survivor.mergedReports.some((r) => r.entryId === report.entryId)) return undefined;
  const retracted = report.status === 'retracted';
  return {
    ...survivor,
    eventId: entryKey(meta.eventId),
    version: survivor.version + 1,
    updatedAt: laterOf(meta.recordedAt, survivor.updatedAt),
    position: { partition: position.partition, offset: position.offset },
    mergedReports: retracted
      ? survivor.mergedReports.filter((r) => r.entryId !== report.entryId)
      : survivor.mergedReports.map((r) => (r.entryId === report.entryId ? mergedReportOf(report) : r)),
    change: 'merged',
    correctionSeverity: null,
    changeNote: `merged report ${report.entryId} ${retracted ? 'retracted' : 'corrected'}`,
  };
}

function mergedReportOf(e: EntrySnapshot): MergedReport {
  return {
    entryId: e.entryId,
    type: e.type,
    summary: e.summary,
    occurredAt: canonicalInstant(e.occurredAt),
    recordedAt: canonicalInstant(e.recordedAt),
    actors: e.actors,
    locations: e.locations,
    sources: e.sources,
  };
}

/** RFC 3339 text in one spelling (`…Z`, milliseconds), whatever form it was read in (event JSON or PostgreSQL). */
function canonicalInstant(s: string): string {
  return new Date(Date.parse(s)).toISOString();
}

function distinctRelations(rs: EntryRelation[]): EntryRelation[] {
  const seen = new Set<string>();
  return rs.filter((r) => {
    const k = `${r.relation}:${r.entryId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * An entry's content with its merged reports' actors, places and sources added (deduplicated: actors
 * by id, places by name and country, sources by URL) — what the survivor shows and is found by.
 */
export function accumulated(c: Pick<EntryContent, 'actors' | 'locations' | 'sources'> & Partial<Pick<EntryLinks, 'mergedReports'>>): {
  actors: Actor[];
  locations: Location[];
  sources: Source[];
} {
  const reports = c.mergedReports ?? [];
  const by = <T>(items: T[], key: (t: T) => string) => {
    const seen = new Set<string>();
    return items.filter((t) => {
      const k = key(t);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  return {
    actors: by([...c.actors, ...reports.flatMap((r) => r.actors)], (a) => a.id),
    locations: by([...c.locations, ...reports.flatMap((r) => r.locations)], (l) => `${l.name}\u0000${l.country}`),
    sources: by([...c.sources, ...reports.flatMap((r) => r.sources)], (s) => s.url),
  };
}

/**
 * actor ids, countries (actors' and places', sorted, distinct), place names, and the text behind the
 * full-text index: summary, actor names and ids, places and regions, tags, quoted people, outlets
 * and the payload's words — so a search for "Peskov" finds an entry that only quotes him. The
 * search text is split by language (issue 16): the summary and the payload's words in the entry's
 * language, a quote in its own, each translation in its language, the names unstemmed.
 */
export function derivedColumns(content: EntryContent & Partial<Pick<EntryLinks, 'mergedReports'>>): DerivedColumns {
  const reports = content.mergedReports ?? [];
  const c = { ...content, ...accumulated(content) };
  const corroboration = corroborationOf([content, ...reports]);
  const countries = new Set<string>();
  for (const a of c.actors) if (a.country) countries.add(a.country);
  for (const l of c.locations) countries.add(l.country);
  const names: string[] = [];
  for (const a of c.actors) names.push(a.name, a.id.replace(/[-_.]/g, ' '));
  for (const l of c.locations) names.push(l.name, ...(l.admin1 ? [l.admin1] : []));
  for (const t of c.tags) names.push(t.replace(/[-_.]/g, ' '));
  for (const s of c.sources) names.push(...(s.quotedPerson ? [s.quotedPerson] : []), s.outlet);
  const byLanguage = new Map<string, string[]>();
  const add = (lang: string, ...texts: string[]) => {
    const key = baseLanguage(lang);
    byLanguage.set(key, [...(byLanguage.get(key) ?? []), ...texts]);
  };
  const { quote, quoteLanguage, ...rest } = c.payload as { quote?: unknown; quoteLanguage?: unknown };
  const payloadWords: string[] = [];
  collectStrings(typeof quoteLanguage === 'string' ? rest : c.payload, payloadWords, 0);
  add(c.language, c.summary, ...payloadWords);
  if (typeof quoteLanguage === 'string' && typeof quote === 'string') add(quoteLanguage, quote);
  for (const t of c.translations) add(t.lang, t.text);
  const searchTexts: Record<string, string> = {};
  for (const key of [...byLanguage.keys()].sort()) searchTexts[key] = searchTextOf(byLanguage.get(key)!);
  searchTexts.names = searchTextOf(names);
  return {
    actorIds: distinct(c.actors.map((a) => a.id)),
    countries: [...countries].sort(),
    locationNames: distinct(c.locations.map((l) => l.name)),
    // The pre-issue-16 column, kept as it was: every word in one text.
    searchText: joinedWords([c.summary, ...names, ...allPayloadWords(c.payload)]),
    searchTexts,
    reportCount: corroboration.reports,
    independentOutlets: corroboration.independentOutlets,
  };
}

function joinedWords(words: string[]): string {
  return distinct(words.map((w) => w.trim()).filter(Boolean))
    .join(' \n')
    .slice(0, SEARCH_TEXT_MAX_CHARS);
}

function searchTextOf(words: string[]): string {
  return normalizeNumbers(joinedWords(words));
}

function allPayloadWords(payload: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  collectStrings(payload, out, 0);
  return out;
}

/** Bounds the tsvector input; a card's text is far below this (LIMITS keep events small). */
const SEARCH_TEXT_MAX_CHARS = 100_000;

function collectStrings(v: unknown, out: string[], depth: number): void {
  if (depth > 4) return;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out, depth + 1);
  // Keys in sorted order: a payload read back from jsonb has its keys in jsonb's order, a fresh one in
  // JSON order; the search text must not depend on which (a rebuild must reproduce it exactly).
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o).sort()) collectStrings(o[k], out, depth + 1);
  }
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

/** Later of two RFC 3339 instants, returned as given (keeps sub-millisecond digits and the offset). */
function laterOf(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * The event's own `cameoCode` override, recovered from state: a stored code that differs from what
 * the type and payload imply was set explicitly and must survive a correction.
 */
function cameoOverride(catalogue: EventCatalogue, state: EntrySnapshot): string | undefined {
  if (state.cameoCode === null) return undefined;
  // A variable, not a literal: the catalogue's parameter type may or may not list `payload`.
  const probe = { type: state.type, payload: state.payload as Record<string, unknown> };
  const implied = catalogue.cameoCodeOf(probe);
  return implied === state.cameoCode ? undefined : state.cameoCode;
}

/** The envelope an entry's content amounts to, for re-validation with the catalogue. */
function envelopeOf(c: EntryContent, cameoCode: string | undefined): Record<string, unknown> {
  return {
    eventId: c.entryId,
    type: c.type,
    schemaVersion: c.schemaVersion,
    occurredAt: c.occurredAt,
    occurredAtPrecision: c.occurredPrecision,
    ...(c.occurredUntil ? { occurredUntil: c.occurredUntil } : {}),
    ...(c.occurredTz ? { occurredTz: c.occurredTz } : {}),
    recordedAt: c.recordedAt,
    storyId: c.storyId,
    actors: c.actors,
    locations: c.locations,
    sources: c.sources,
    tags: c.tags,
    confirmation: c.confirmation,
    summary: c.summary,
    language: c.language,
    ...(c.languageDetectedBy ? { languageDetectedBy: c.languageDetectedBy } : {}),
    ...(c.translations.length ? { translations: c.translations } : {}),
    ...(cameoCode ? { cameoCode } : {}),
    payload: c.payload,
  };
}
