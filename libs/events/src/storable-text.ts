import type { ValidationIssue } from './validation.js';

const MAX_ISSUES = 10;

/**
 * JSON Pointers of every string (value or object key) holding U+0000. JSON allows the character,
 * but PostgreSQL's `text` and `jsonb` cannot store it: an event carrying one would be accepted at
 * ingest and then refused by the database, so the catalogue refuses it up front.
 */
export function nulCharacterIssues(value: unknown, path = ''): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const walk = (v: unknown, at: string): void => {
    if (issues.length >= MAX_ISSUES) return;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) issues.push({ path: at || '/', message: 'must not contain the NUL character (U+0000)' });
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${at}/${i}`));
      return;
    }
    if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        const child = `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (k.includes('\u0000')) issues.push({ path: child, message: 'must not contain the NUL character (U+0000) in its name' });
        walk(x, child);
      }
    }
  };
  walk(value, path);
  return issues;
}
