/** Collects bind values and hands out `$n` placeholders: nothing a client sends is ever spliced into SQL. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value; returns its placeholder, with a cast when given (`$3::timestamptz`). */
  bind(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

/** `timestamptz` column → exact UTC text with microseconds (`2022-01-24T00:00:00.000000Z`), keyset-safe. */
export function utcText(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
