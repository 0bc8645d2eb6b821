/** Reported precision of `occurredAt`. */
export type Precision = 'day' | 'hour' | 'minute' | 'second';

/** Calendar/clock fields of an instant in a zone, only as far as the precision goes. */
export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** A formatter for `zone`, or null when the runtime does not know the zone (then UTC is used). */
function formatterFor(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        // The era tells 1 BC from AD 1: a year-1 instant shown in a zone west of UTC is in 1 BC
        // (issue 19: 0001-01-01T00:00:00+00:01 was shown as "31 December 1").
        era: 'short',
        hourCycle: 'h23',
      });
    } catch {
      f = null;
    }
    if (formatters.size < 1000) formatters.set(zone, f);
  }
  return f;
}

/** The zone dates are shown in: the reported zone when it is a real IANA zone, else UTC. */
export function effectiveZone(tz: string | null | undefined): string {
  return tz && formatterFor(tz) ? tz : 'UTC';
}

/**
 * The zone whose wall clock shows `iso`. Day-precision dates stored as midnight UTC are calendar
 * dates (the catalogue's and the dataset's convention: "21 February, Moscow" is
 * `2022-02-21T00:00:00Z` with `occurredTz` Europe/Moscow): they are shown as written, never shifted
 * into `occurredTz` (which would move 10 November to the 9th in New York). Any other instant —
 * a time, or a local midnight written with its offset — is shown in `occurredTz` (else UTC).
 */
export function displayZone(iso: string, precision: Precision, tz?: string | null): string {
  if (precision === 'day' && /T00:00:00(\.0+)?Z$/.test(new Date(iso).toISOString())) return 'UTC';
  return effectiveZone(tz);
}

/**
 * Wall-clock fields of `iso` (see {@link displayZone}) cut to `precision`: a day-precision event
 * has no hour, so nobody can print a fake time.
 */
export function dateParts(iso: string, precision: Precision, tz?: string | null): DateParts {
  const zone = displayZone(iso, precision, tz);
  const f = formatterFor(zone) as Intl.DateTimeFormat;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new RangeError(`cannot show the stored instant "${iso}"`);
  const fields: Record<string, number> = {};
  let bc = false;
  for (const part of f.formatToParts(at)) {
    if (part.type === 'era') bc = /^B/i.test(part.value);
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  // Astronomical numbering below AD 1 (1 BC = year 0), as ISO 8601 and PostgreSQL count.
  const year = bc ? 1 - (fields.year as number) : (fields.year as number);
  const parts: DateParts = { year, month: fields.month as number, day: fields.day as number };
  if (precision === 'day') return parts;
  parts.hour = fields.hour as number;
  if (precision === 'hour') return parts;
  parts.minute = fields.minute as number;
  if (precision === 'minute') return parts;
  parts.second = fields.second as number;
  return parts;
}

const pad = (n: number | undefined) => String(n ?? 0).padStart(2, '0');

function clock(p: DateParts): string | undefined {
  if (p.hour === undefined) return undefined;
  return p.second !== undefined ? `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` : `${pad(p.hour)}:${pad(p.minute)}`;
}

function zoneLabel(zone: string): string {
  return zone === 'UTC' ? 'UTC' : `(${zone})`;
}

/** "2022", or "1 BC" for astronomical year 0 (and "2 BC" for -1). */
function yearLabel(year: number): string {
  return year > 0 ? String(year) : `${1 - year} BC`;
}

/**
 * Human date of an entry, only as precise as reported: "24 January 2022"; "24 January 2022, 14:30
 * UTC"; ranges "10–20 February 2022", "28 January – 2 February 2022".
 */
export function displayDate(occurredAt: string, precision: Precision, occurredUntil?: string | null, tz?: string | null): string {
  const zone = displayZone(occurredAt, precision, tz);
  const a = dateParts(occurredAt, precision, tz);
  const aDate = `${a.day} ${MONTHS[a.month - 1]} ${yearLabel(a.year)}`;
  const aTime = clock(a);
  if (!occurredUntil) return aTime ? `${aDate}, ${aTime} ${zoneLabel(zone)}` : aDate;
  const b = dateParts(occurredUntil, precision, tz);
  const bTime = clock(b);
  const sameDay = a.year === b.year && a.month === b.month && a.day === b.day;
  if (aTime && bTime) {
    return sameDay
      ? `${aDate}, ${aTime}–${bTime} ${zoneLabel(zone)}`
      : `${aDate}, ${aTime} – ${b.day} ${MONTHS[b.month - 1]} ${yearLabel(b.year)}, ${bTime} ${zoneLabel(zone)}`;
  }
  if (sameDay) return aDate;
  if (a.year === b.year && a.month === b.month) return `${a.day}–${b.day} ${MONTHS[a.month - 1]} ${yearLabel(a.year)}`;
  if (a.year === b.year) return `${a.day} ${MONTHS[a.month - 1]} – ${b.day} ${MONTHS[b.month - 1]} ${yearLabel(a.year)}`;
  return `${aDate} – ${b.day} ${MONTHS[b.month - 1]} ${yearLabel(b.year)}`;
}

/** `YYYY-MM-DD` of the entry's start (see {@link displayZone}): the day a dashboard groups it under. */
export function localDay(occurredAt: string, precision: Precision, tz?: string | null): string {
  const p = dateParts(occurredAt, precision, tz);
  const y = p.year < 0 ? `-${String(-p.year).padStart(4, '0')}` : String(p.year).padStart(4, '0');
  return `${y}-${pad(p.month)}-${pad(p.day)}`;
}
