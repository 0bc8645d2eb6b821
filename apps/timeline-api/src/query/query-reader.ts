import { CodedError, type ProblemField } from '@timeline/http';

/** Query string as Express parses it (`?a=1&a=2` → array; nested forms are never produced). */
export type RawQuery = Record<string, unknown>;

/** PostgreSQL text cannot hold U+0000: bound as a parameter it fails the query (a 500), so it is refused here. */
const NUL = '\u0000';
const NUL_PROBLEM = 'must not contain the NUL character (U+0000)';

/** Most values a multi-valued filter (`type`, `actor`, …) may list; keeps SQL arrays small. */
export const MAX_LIST_VALUES = 50;

/**
 * Reads query parameters against a whitelist and collects every problem, so one 400 answer names
 * all bad parameters at once (`errors[].path` = parameter name).
 */
export class QueryReader {
  private readonly issues: ProblemField[] = [];

  constructor(
    private readonly raw: RawQuery,
    allowed: readonly string[],
  ) {
    for (const name of Object.keys(raw)) {
      if (!allowed.includes(name)) {
        this.fail(name, `is not a parameter of this endpoint; allowed: ${allowed.join(', ')}`);
      }
    }
  }

  /** Records a problem with parameter `path`. */
  fail(path: string, message: string): undefined {
    if (!this.issues.some((i) => i.path === path)) this.issues.push({ path, message });
    return undefined;
  }

  /** A single-valued parameter (repeating it is an error); empty string counts as absent. */
  single(name: string, maxLength = 200): string | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.fail(name, 'must be given once');
    if (v.length > maxLength) return this.fail(name, `must be at most ${maxLength} characters`);
    if (v.includes(NUL)) return this.fail(name, NUL_PROBLEM);
    return v === '' ? undefined : v;
  }

  /** A multi-valued parameter: repeated (`type=a&type=b`) and/or comma separated (`type=a,b`). */
  list(name: string, check: (value: string) => string | undefined, maxLength = 200): string[] {
    const v = this.raw[name];
    if (v === undefined) return [];
    const parts = (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',') : [null]));
    const out: string[] = [];
    for (const part of parts) {
      if (part === null) return this.fail(name, 'must be a list of strings') ?? [];
      const value = part.trim();
      if (value === '') continue;
      if (value.length > maxLength) return this.fail(name, `values must be at most ${maxLength} characters`) ?? [];
      if (value.includes(NUL)) return this.fail(name, NUL_PROBLEM) ?? [];
      const problem = check(value);
      if (problem) return this.fail(name, problem) ?? [];
      if (!out.includes(value)) out.push(value);
    }
    if (out.length > MAX_LIST_VALUES) return this.fail(name, `may list at most ${MAX_LIST_VALUES} values`) ?? [];
    return out;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.single(name, 20);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v)) return this.fail(name, `must be a whole number between ${min} and ${max}`) ?? fallback;
    const n = Number(v);
    if (n < min || n > max) return this.fail(name, `must be between ${min} and ${max}, got ${n}`) ?? fallback;
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.single(name, 10);
    if (v === undefined) return fallback;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    return this.fail(name, 'must be true or false') ?? fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.single(name, 50);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) return this.fail(name, `must be one of ${allowed.join(', ')}`) ?? fallback;
    return v as T;
  }

  /** Throws one 400 problem naming every bad parameter, if any were found. */
  done(): void {
    if (this.issues.length === 0) return;
    const names = this.issues.map((i) => `"${i.path}"`).join(', ');
    const first = this.issues[0] as ProblemField;
    throw new CodedError(
      'QUERY.INVALID_PARAMETER',
      this.issues.length === 1 ? `Query parameter "${first.path}" ${first.message}.` : `Invalid query parameters: ${names}.`,
      this.issues,
    );
  }
}

/** A 400 problem naming one parameter (for checks made after parsing, e.g. a cursor's signature). */
export function invalidParameter(path: string, message: string): CodedError {
  return new CodedError('QUERY.INVALID_PARAMETER', `Query parameter "${path}" ${message}.`, [{ path, message }]);
}
