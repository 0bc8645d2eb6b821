/** A window of the past to replay, as {@link EventLogReplay} takes it. */
export interface ReplayWindow {
  /** Earliest `occurredAt`, inclusive (ISO 8601). */
  readonly from?: string;
  /** Latest `occurredAt` (ISO 8601): inclusive, or exclusive when {@link toExclusive}. */
  readonly to?: string;
  /** True when `to` is the start of the day after a date-only bound. */
  readonly toExclusive?: boolean;
  /** Only what was recorded at or before this instant (`recordedAt <= asOf`). */
  readonly asOf?: string;
}

/** A problem with one input of {@link parseReplayWindow}. */
export interface ReplayWindowProblem {
  readonly path: 'from' | 'to' | 'asOf';
  readonly message: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const INSTANT_HINT = 'must be a date (2022-01-24) or an RFC 3339 timestamp with offset (2022-01-24T12:00:00Z)';

/** Parses `YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp with offset; undefined when it is not a real instant. */
export function parseReplayInstant(value: string): { iso: string; dateOnly: boolean } | undefined {
  const d = DATE.exec(value);
  const m = d ?? DATE_TIME.exec(value);
  if (!m) return undefined;
  const [y, mo, day, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  // Reject impossible calendar values instead of letting Date roll them over (2022-02-30 → March).
  const probe = new Date(Date.UTC(y, mo - 1, day, h, mi, s));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== day || h > 23 || mi > 59 || s > 59)
    return undefined;
  if (d) return { iso: probe.toISOString(), dateOnly: true };
  const t = Date.parse(value.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? undefined : { iso: new Date(t).toISOString(), dateOnly: false };
}

/**
 * Turns user input into a {@link ReplayWindow}. A date-only `to` includes that whole day (UTC), so
 * `--from 2022-01-20 --to 2022-01-26` is seven days; a timestamp `to` is inclusive. A date-only
 * `asOf` is midnight UTC of that day (as in the timeline API). Every problem is returned at once.
 */
export function parseReplayWindow(input: {
  from?: string;
  to?: string;
  asOf?: string;
}): { window: ReplayWindow } | { problems: ReplayWindowProblem[] } {
  const problems: ReplayWindowProblem[] = [];
  const read = (path: ReplayWindowProblem['path']) => {
    const v = input[path];
    if (v === undefined || v === '') return undefined;
    const parsed = parseReplayInstant(v);
    if (!parsed) problems.push({ path, message: INSTANT_HINT });
    return parsed;
  };
  const from = read('from');
  const to = read('to');
  const asOf = read('asOf');
  const toBound = to ? (to.dateOnly ? new Date(Date.parse(to.iso) + 86_400_000).toISOString() : to.iso) : undefined;
  if (from && to && toBound && (to.dateOnly ? Date.parse(toBound) <= Date.parse(from.iso) : Date.parse(toBound) < Date.parse(from.iso))) {
    problems.push({ path: 'to', message: 'must not be before "from"' });
  }
  if (problems.length > 0) return { problems };
  return {
    window: {
      ...(from ? { from: from.iso } : {}),
      ...(toBound ? { to: toBound, toExclusive: to!.dateOnly } : {}),
      ...(asOf ? { asOf: asOf.iso } : {}),
    },
  };
}
