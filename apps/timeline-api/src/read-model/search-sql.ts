import { ident } from '@timeline/store';
import type { SearchQuery, SearchTerm } from '../search/search-query.js';
import type { SqlParams } from './sql-params.js';

/**
 * The configurations a text is tried in, by script: Latin (and digits) in English — Russian and
 * `timeline_uk` stem Latin words with the same English stemmer — Cyrillic in Russian (Snowball) and
 * Ukrainian (`timeline_uk`: Hunspell or its fallback), and everything unstemmed (`simple`: names,
 * numbers, other languages). A transliterated guess skips `timeline_uk`: a backend loads the
 * Hunspell dictionary (~64 MB, ~1 s) the first time it uses it, which a Latin-only search so never
 * triggers. `search_config` lives in the data schema: qualified when the schema is given.
 */
function configsFor(text: string, transliterated: boolean, schema: string | undefined): string[] {
  const cyrillic = /[\u0400-\u04ff]/.test(text);
  const latin = /[A-Za-z]/.test(text);
  const out: string[] = [];
  if (latin || !cyrillic) out.push(`'english'::regconfig`);
  if (cyrillic) out.push(`'russian'::regconfig`, ...(transliterated ? [] : [`${fn(schema, 'search_config')}('uk')`]));
  out.push(`'simple'::regconfig`);
  return out;
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
  return s.groups.map((g) => `(${g.map((t) => termSql(t, p, schema)).join(' || ')})`).join(' && ');
}

function termSql(t: SearchTerm, p: SqlParams, schema: string | undefined): string {
  let sql: string;
  if (t.kind === 'phrase') {
    const v = p.bind(t.text);
    sql = configsFor(t.text, false, schema)
      .map((c) => `phraseto_tsquery(${c}, ${v})`)
      .join(' || ');
  } else {
    const parts: string[] = [];
    for (const a of t.alternatives) {
      const v = p.bind(a.text);
      parts.push(...configsFor(a.text, a.transliterated, schema).map((c) => `plainto_tsquery(${c}, ${v})`));
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
