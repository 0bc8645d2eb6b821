import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseTimestamp } from './timestamp.js';

/** One field-level problem: JSON Pointer into the message, and a sentence saying what is wrong. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A shared Ajv instance: all errors (so a client sees every bad field at once), strict schemas. */
export function createAjv(): Ajv {
  // verbose: a failed date-time keeps its value, so the issue can say what is wrong with it.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true, useDefaults: false, verbose: true });
  ajv.addFormat('uuid', UUID);
  // One timestamp rule for ingest, the topic and the read API (timestamp.ts): what PostgreSQL stores.
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => parseTimestamp(s).ok });
  ajv.addFormat('uri', {
    type: 'string',
    validate: (s: string) => {
      try {
        return Boolean(new URL(s).protocol);
      } catch {
        return false;
      }
    },
  });
  // TypeBox adds `title`/`description`; Ajv's strict mode knows those. Nothing else is custom.
  return ajv;
}

/** Ajv errors → stable, readable issues (`/payload/forceSize: must be >= 0`). */
export function toIssues(errors: ErrorObject[] | null | undefined, prefix = ''): ValidationIssue[] {
  if (!errors) return [];
  const seen = new Set<string>();
  const out: ValidationIssue[] = [];
  for (const e of errors) {
    let path = `${prefix}${e.instancePath}`;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      path = `${path}/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not a known field';
    } else if (e.keyword === 'required') {
      path = `${path}/${(e.params as { missingProperty: string }).missingProperty}`;
      message = 'is required';
    } else if (e.keyword === 'format' && (e.params as { format: string }).format === 'date-time' && typeof e.data === 'string') {
      const parsed = parseTimestamp(e.data);
      if (!parsed.ok) message = parsed.message;
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    } else if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      // Unions of literals: report the allowed values rather than each branch's failure.
      continue;
    }
    const key = `${path}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path: path || '/', message });
    }
  }
  return collapseLiteralUnions(errors, out, prefix);
}

/** For a `Union(Literal…)` failure Ajv lists one `const` error per literal; merge them into one. */
function collapseLiteralUnions(errors: ErrorObject[], issues: ValidationIssue[], prefix: string): ValidationIssue[] {
  const byPath = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword === 'const') {
      const p = `${prefix}${e.instancePath}` || '/';
      byPath.set(p, [...(byPath.get(p) ?? []), (e.params as { allowedValue: unknown }).allowedValue]);
    }
  }
  const result = issues.filter((i) => !(byPath.get(i.path)?.length ?? 0 > 1) || !i.message.startsWith('must be '));
  for (const [path, values] of byPath) {
    if (values.length > 1) result.push({ path, message: `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
    else if (values.length === 1 && !result.some((i) => i.path === path))
      result.push({ path, message: `must be ${JSON.stringify(values[0])}` });
  }
  return result;
}

export type { ValidateFunction };
