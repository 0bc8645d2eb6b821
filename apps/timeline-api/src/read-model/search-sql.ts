import { ident } from '@timeline/store';
import type { SearchQuery, SearchTerm } from '../search/search-query.js';
import type { SqlParams } from './sql-params.js';

/**
 * The configurations every term is tried in: English and Russian (Snowball), Ukrainian (`timeline_uk`,
 * Hunspell or its fallback) and simple (names, numbers, words of other languages). `search_config`
 * lives in the data schema: qualified when the schema is given, else found through the search_path.
 */
function configs(schema: string | undefined): string[] {
  return [`'english'::regconfig`, `'russian'::regconfig`, `${fn(schema, 'search_config')}('uk')`, `'simple'::regconfig`];
}

function fn(schema: string | undefined, name: string): string {
  return schema ? `${ident(schema)}.${name}` : name;
}

/**
 * The tsquery of a parsed search as an SQL expression (every value a bind parameter), or undefined
 * when the query has no searchable word (it then matches nothing, as `websearch_to_tsquery('')` did).
 */
export function searchTsquery(s: SearchQuery, p: SqlParams, schema?: string): string | undefined {
  if (s.groups.length === 0) return undefined;
  const cfgs = configs(schema);
  return s.groups.map((g) => `(${g.map((t) => termSql(t, p, cfgs)).join(' || ')})`).join(' && ');
}

function termSql(t: SearchTerm, p: SqlParams, cfgs: readonly string[]): string {
  let sql: string;
  if (t.kind === 'phrase') {
    const v = p.bind(t.text);
    sql = cfgs.map((c) => `phraseto_tsquery(${c}, ${v})`).join(' || ');
  } else {
    const parts: string[] = [];
    for (const a of t.alternatives) {
      const v = p.bind(a.text);
      parts.push(...cfgs.map((c) => `plainto_tsquery(${c}, ${v})`));
      // A registry name is letters only (checked where `prefix` is set), so the lexeme needs no escaping.
      if (a.prefix) parts.push(`to_tsquery('simple', ${p.bind(`'${a.text.toLowerCase()}':*`)})`);
    }
    sql = parts.join(' || ');
  }
  return t.negated ? `!!(${sql})` : `(${sql})`;
}

/** The languages (primary subtags) of the entry whose text the query matched, sorted; `names` excluded. */
export function matchedLanguagesColumn(tsquery: string, a: string, schema?: string): string {
  return `ARRAY(SELECT l.key FROM jsonb_each_text(${a}.search_texts) AS l(key, value)
                 WHERE l.key <> 'names' AND to_tsvector(${fn(schema, 'search_config')}(l.key), l.value) @@ (${tsquery}) ORDER BY l.key) AS matched_languages`;
}
