import type { ValidationIssue } from './validation.js';

const MAX_ISSUES = 10;

/** Deepest nesting of objects and arrays an event may have (the deepest real envelope has 4). */
export const MAX_JSON_DEPTH = 32;

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'the NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'an unpaired UTF-16 surrogate (not a Unicode character; it has no UTF-8 form)';
  return undefined;
}

const escapeKey = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * JSON Pointers of every string (value or object key) PostgreSQL's `text` and `jsonb` cannot store —
 * U+0000, and unpaired surrogates (`"a\ud800b"` is valid JSON, but has no UTF-8 encoding) — and of
 * nesting deeper than {@link MAX_JSON_DEPTH}. An event carrying one would be accepted at ingest and
 * then refused by the database, so the catalogue refuses it up front. Iterative, so a hostile
 * 100,000-level document costs a loop, not the stack.
 */
export function storableValueIssues(value: unknown, path = ''): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  // [value, pointer, depth, what is wrong with the key it sits under]
  const stack: [unknown, string, number, string?][] = [[value, path, 0]];
  while (stack.length && issues.length < MAX_ISSUES) {
    const [v, at, depth, keyProblem] = stack.pop()!;
    if (keyProblem) issues.push({ path: at, message: `must not contain ${keyProblem} in its name` });
    if (typeof v === 'string') {
      const p = textProblem(v);
      if (p) issues.push({ path: at || '/', message: `must not contain ${p}` });
      continue;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      issues.push({ path: at || '/', message: 'must be a finite number' });
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      issues.push({ path: at || '/', message: `must not nest objects and arrays more than ${MAX_JSON_DEPTH} levels deep` });
      continue;
    }
    const children: [unknown, string, number, string?][] = [];
    if (Array.isArray(v)) {
      v.forEach((x, i) => children.push([x, `${at}/${i}`, depth + 1]));
    } else {
      for (const [k, x] of Object.entries(v)) {
        children.push([x, `${at}/${escapeKey(k)}`, depth + 1, textProblem(k)]);
      }
    }
    // Reversed onto the stack so issues come out in document order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return issues;
}
