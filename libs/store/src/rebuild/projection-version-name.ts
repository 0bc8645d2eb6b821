/**
 * Projection version names become partition table names (`timeline_entries__<name>`, at most 63
 * bytes), so they are short lower-case identifiers: a letter, then letters, digits or `_`.
 */
const VERSION_NAME = /^[a-z][a-z0-9_]{0,29}$/;

/** Why `name` cannot be a projection version name, or `undefined` when it can. */
export function projectionNameProblem(name: string): string | undefined {
  if (VERSION_NAME.test(name)) return undefined;
  return 'must start with a lower-case letter followed by at most 29 lower-case letters, digits or "_" (e.g. "v2")';
}

/** The next free `v<n>` name: one above the highest `v<n>` in use, at least `v2` (the first version is `v1`-equivalent "live"). */
export function nextProjectionName(existing: readonly string[]): string {
  let highest = 1;
  for (const name of existing) {
    const m = /^v(\d{1,9})$/.exec(name);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  return `v${highest + 1}`;
}
