import type { QueryRunner } from 'typeorm';
import { pgTextArrayLiteral } from './pg-array.js';

/** Column types the bulk statements bind; `jsonb` and `text[]` travel as text and are cast per row. */
export type BulkColumnType = 'uuid' | 'text' | 'integer' | 'bigint' | 'timestamptz' | 'jsonb' | 'text[]';

/** One column of a bulk statement: its name (a constant, never input), type and how to read it from a row. */
export interface BulkColumn<R> {
  readonly name: string;
  readonly type: BulkColumnType;
  readonly value: (row: R) => string | number | null | readonly string[] | object;
}

const paramType = (t: BulkColumnType) => (t === 'jsonb' || t === 'text[]' ? 'text' : t);
const castOf = (t: BulkColumnType) => (t === 'jsonb' ? '::jsonb' : t === 'text[]' ? '::text[]' : '');

function bind<R>(col: BulkColumn<R>, row: R): string | number | null {
  const v = col.value(row);
  if (v === null || v === undefined) return null;
  if (col.type === 'jsonb') return JSON.stringify(v);
  if (col.type === 'text[]') return pgTextArrayLiteral(v as readonly string[]);
  return v as string | number;
}

/**
 * `unnest($2::t2[], $3::t3[], …) AS r(c2, c3, …)` over `rows`, with `$1` left for the projection:
 * one round trip and one plan for any number of rows (CONVENTIONS.md rule 11).
 */
export function unnestSource<R>(cols: readonly BulkColumn<R>[], rows: readonly R[], firstParam = 2): { from: string; params: unknown[] } {
  const from = `unnest(${cols.map((c, i) => `$${i + firstParam}::${paramType(c.type)}[]`).join(', ')}) AS r(${cols.map((c) => c.name).join(', ')})`;
  return { from, params: cols.map((c) => rows.map((r) => bind(c, r))) };
}

/** `r.col::cast` for each column, in order. */
export function selectList<R>(cols: readonly BulkColumn<R>[]): string {
  return cols.map((c) => `r.${c.name}${castOf(c.type)}`).join(', ');
}

/** `col = r.col::cast` for each column, in order. */
export function assignList<R>(cols: readonly BulkColumn<R>[]): string {
  return cols.map((c) => `${c.name} = r.${c.name}${castOf(c.type)}`).join(', ');
}

/** Runs one statement and returns its rows (TypeORM returns `[rows, count]` for UPDATE/DELETE otherwise). */
export async function queryRows<T>(runner: QueryRunner, sql: string, params: unknown[]): Promise<T[]> {
  const result = (await runner.query(sql, params, true)) as { records?: T[] };
  return result.records ?? [];
}
