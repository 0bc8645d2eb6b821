import type { EntryView } from '../presentation/entry-view.js';
import { plainNote } from './timelinejs-format.js';

interface ActorLike {
  id?: string;
  name?: string;
}
interface LocationLike {
  name?: string;
  country?: string;
}
interface SourceLike {
  url?: string;
}

/** CSV columns, in order. */
export const CSV_COLUMNS = [
  'id',
  'day',
  'display_date',
  'occurred_at',
  'occurred_at_precision',
  'occurred_until',
  'occurred_tz',
  'type',
  'status',
  'confirmation',
  'summary',
  'actors',
  'countries',
  'locations',
  'tags',
  'sources',
  'correction_notes',
  'version',
  'recorded_at',
  'updated_at',
  'story_id',
  'language',
  'language_detected_by',
  'translations',
  'merged_into',
  'merged_ids',
  'reports',
  'independent_outlets',
  'outlets',
  'disputed',
  'relations',
] as const;

/**
 * One RFC 4180 field. Cells that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`,
 * tab, CR) get a leading apostrophe: exports are opened in Excel by newsrooms (CSV injection).
 */
export function csvField(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The header line, after a UTF-8 byte order mark: without it Excel reads the file as the system code
 * page and garbles «», Cyrillic and every other non-ASCII character (issue 15). Other CSV readers skip it.
 */
export function csvHeader(): string {
  return `\uFEFF${CSV_COLUMNS.join(',')}\r\n`;
}

/** One entry as a CSV record (lists joined with `; `, sources by space). */
export function csvRow(e: EntryView): string {
  const actors = (e.actors as ActorLike[]).map((a) => a.name ?? a.id ?? '').join('; ');
  const locations = (e.locations as LocationLike[]).map((l) => (l.country ? `${l.name ?? ''} (${l.country})` : (l.name ?? ''))).join('; ');
  const countries = [
    ...new Set([...(e.actors as { country?: string }[]).map((a) => a.country), ...(e.locations as LocationLike[]).map((l) => l.country)]),
  ]
    .filter(Boolean)
    .join('; ');
  const sources = (e.sources as SourceLike[]).map((s) => s.url ?? '').join(' ');
  const notes = e.corrections
    .map((c) => `${c.change === 'retracted' ? 'Retracted' : `Correction (${c.severity ?? 'unspecified'})`}: ${plainNote(c.note)}`)
    .join(' | ');
  const cells = [
    e.id,
    e.day,
    e.displayDate,
    e.occurredAt,
    e.occurredAtPrecision,
    e.occurredUntil,
    e.occurredTz,
    e.type,
    e.status,
    e.confirmation,
    e.summary,
    actors,
    countries,
    locations,
    e.tags.join('; '),
    sources,
    notes,
    e.version,
    e.recordedAt,
    e.updatedAt,
    e.storyId,
    e.language,
    e.languageDetectedBy,
    e.translations.map((t) => `${t.lang}: ${t.text} (${t.by})`).join(' | '),
    e.mergedInto,
    e.mergedIds.join(';'),
    e.corroboration.reports,
    e.corroboration.independentOutlets,
    e.corroboration.outlets.join('; '),
    e.disputed ? 'true' : 'false',
    // `relation:<entry id>` per link, `;`-separated (issue 14): machine-readable, one cell.
    e.relations.outgoing.map((r) => `${r.relation}:${r.entryId}`).join(';'),
  ];
  return `${cells.map(csvField).join(',')}\r\n`;
}
