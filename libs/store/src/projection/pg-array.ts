/**
 * A Postgres array literal (`{"a","b"}`) of text values. Bulk inserts pass one literal per row in a
 * `text[]` parameter and cast each to `text[]`, because `unnest` flattens a 2-D array and rows have
 * different lengths. The literal travels as a bound parameter, never as SQL text.
 */
export function pgTextArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
