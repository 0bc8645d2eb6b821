/** The source of "now" (CONVENTIONS.md rule 7): injected so tests control `recordedAt`. */
export interface Clock {
  now(): Date;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock stuck at `at` (tests, reproducible tools). */
export function fixedClock(at: Date | string): Clock {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`fixedClock: "${String(at)}" is not a date`);
  return { now: () => new Date(ms) };
}
