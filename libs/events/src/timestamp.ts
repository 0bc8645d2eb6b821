/**
 * The one timestamp rule shared by the catalogue (ingest and the projector), the read API's `from`,
 * `to`, `asOf` parameters and cursors. It matches what PostgreSQL's `timestamptz` stores and what
 * JavaScript's `Date` renders, so a timestamp that passes here is stored exactly and readable in every
 * view (issue 19: "202 means stored and readable").
 *
 * - RFC 3339 `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`: the offset is mandatory.
 * - Real calendar dates (2022-02-29 and 2022-04-31 do not exist; nothing rolls over), no leap second.
 * - Offsets within ±15:59, PostgreSQL's limit ("time zone displacement out of range" beyond).
 * - The instant, in UTC and rounded to microseconds as PostgreSQL rounds it, lies in
 *   {@link SUPPORTED_RANGE}: years 0001–9999 (no year zero, nothing BC, never year 10000 — which
 *   PostgreSQL would store but `Date` and ISO 8601 basic format cannot carry).
 * - At most 9 fraction digits (nanoseconds, as Go's RFC3339Nano writes); PostgreSQL keeps 6.
 */

/** The first and last instants the timeline stores (UTC). */
export const SUPPORTED_RANGE = {
  first: '0001-01-01T00:00:00Z',
  last: '9999-12-31T23:59:59.999999Z',
} as const;

/** Largest offset from UTC PostgreSQL accepts in a timestamp literal, in minutes (15:59). */
export const MAX_OFFSET_MINUTES = 15 * 60 + 59;

/** A timestamp that passed {@link parseTimestamp}. */
export interface ParsedTimestamp {
  /** Milliseconds since the epoch (sub-millisecond digits cut off). */
  readonly epochMs: number;
  /** Normalised UTC form with milliseconds, e.g. `2022-01-24T10:00:00.000Z` (always four-digit year). */
  readonly iso: string;
}

export type TimestampResult = ({ readonly ok: true } & ParsedTimestamp) | { readonly ok: false; readonly message: string };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

const MICROS_PER_DAY = 86_400_000_000n;
// Days from 0001-01-01 to 1970-01-01 in the proleptic Gregorian calendar.
const FIRST_DAY = daysFromCivil(1, 1, 1);
const END_DAY = daysFromCivil(10000, 1, 1);

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm; any year). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Days in month `m` (1–12) of year `y`, Gregorian leap rule. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function calendarProblem(y: number, mo: number, d: number): string | undefined {
  if (y < 1) return 'has year 0000; the supported years are 0001 to 9999';
  if (mo < 1 || mo > 12) return `has month ${String(mo).padStart(2, '0')}; months are 01 to 12`;
  if (d < 1 || d > daysInMonth(y, mo)) {
    return `is not a calendar date: ${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')} has ${daysInMonth(y, mo)} days`;
  }
  return undefined;
}

/** `epochMs` → `YYYY-MM-DDTHH:MM:SS.mmmZ`, valid for the whole supported range (Date.toISOString is too). */
function isoOf(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/**
 * Parses an RFC 3339 timestamp under the rules above. Never throws; the failure says what is wrong
 * in words a client can act on.
 */
export function parseTimestamp(value: string): TimestampResult {
  const m = RFC3339.exec(value);
  if (!m) {
    return { ok: false, message: 'must be an RFC 3339 timestamp with offset, e.g. 2022-01-24T10:00:00Z or 2022-01-24T13:00:00+03:00' };
  }
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i])) as [number, number, number, number, number, number];
  const cal = calendarProblem(y, mo, d);
  if (cal) return { ok: false, message: cal };
  if (h > 23 || mi > 59 || s > 59) {
    return { ok: false, message: `has the time ${m[4]}:${m[5]}:${m[6]}; hours are 00–23, minutes and seconds 00–59 (no leap second)` };
  }
  let offsetMinutes = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (om > 59) return { ok: false, message: `has the offset ${m[8]}; offset minutes are 00–59` };
    offsetMinutes = (oh * 60 + om) * (m[9] === '-' ? -1 : 1);
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) {
      return { ok: false, message: `has the offset ${m[8]}; offsets from UTC are at most ±15:59` };
    }
  }
  const fraction = (m[7] ?? '').padEnd(9, '0');
  // Exact arithmetic in microseconds, rounded as PostgreSQL rounds (half away from zero on input).
  const nanos = BigInt(fraction);
  const micros = nanos / 1000n + (nanos % 1000n >= 500n ? 1n : 0n);
  const day = BigInt(daysFromCivil(y, mo, d));
  const utcMicros = day * MICROS_PER_DAY + BigInt(((h * 60 + mi) * 60 + s) * 1_000_000) - BigInt(offsetMinutes) * 60_000_000n + micros;
  if (utcMicros < BigInt(FIRST_DAY) * MICROS_PER_DAY || utcMicros >= BigInt(END_DAY) * MICROS_PER_DAY) {
    return {
      ok: false,
      message: `is outside the supported range ${SUPPORTED_RANGE.first} to ${SUPPORTED_RANGE.last} once converted to UTC`,
    };
  }
  const epochMs = Number(utcMicros / 1000n - (utcMicros < 0n && utcMicros % 1000n !== 0n ? 1n : 0n));
  return { ok: true, epochMs, iso: isoOf(epochMs) };
}

/** Parses a calendar date `YYYY-MM-DD` (years 0001–9999, real dates); the instant is its UTC midnight. */
export function parseCalendarDate(value: string): TimestampResult {
  const m = DATE_ONLY.exec(value);
  if (!m) return { ok: false, message: 'must be a date YYYY-MM-DD, e.g. 2022-01-24' };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const cal = calendarProblem(y, mo, d);
  if (cal) return { ok: false, message: cal };
  const epochMs = daysFromCivil(y, mo, d) * 86_400_000;
  return { ok: true, epochMs, iso: isoOf(epochMs) };
}

/** True when `epochMs` is inside {@link SUPPORTED_RANGE}. */
export function inSupportedRange(epochMs: number): boolean {
  return Number.isFinite(epochMs) && epochMs >= FIRST_DAY * 86_400_000 && epochMs < END_DAY * 86_400_000;
}

let zones: Set<string> | undefined;

/**
 * True when `zone` is an IANA time zone this runtime's zone database knows (canonical names such as
 * `Europe/Kyiv` and their aliases such as `Europe/Kiev`, and `UTC`). The read side renders dates in
 * the zone with the same database, so a zone accepted here is a zone every view can show.
 */
export function isKnownTimeZone(zone: string): boolean {
  zones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (zones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    // Intl also takes offsets such as "+03:00"; those are not zone names.
    return /^[A-Za-z]/.test(zone);
  } catch {
    return false;
  }
}
