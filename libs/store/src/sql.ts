/** Quotes an SQL identifier (schema/table name). Names are validated at config load; this is the second fence. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`refusing unsafe SQL identifier "${name}"`);
  return `"${name}"`;
}

/** Partition (table) name of a projection version, e.g. `timeline_entries__live`. */
export function projectionTable(table: 'timeline_entries' | 'entry_versions' | 'pending_corrections', projection: string): string {
  return ident(`${table}__${projection}`);
}
