import { ident } from './sql.js';

/**
 * Base name of the Ukrainian Hunspell files in the server's `tsearch_data` (`timeline_uk.affix`,
 * `timeline_uk.dict`); `tools/infra/hunspell-uk.js` installs them into the embedded PostgreSQL.
 */
export const HUNSPELL_UK_FILE = 'timeline_uk';

/** How Ukrainian words are indexed: Hunspell forms, or (files not installable) lower-cased and unaccented words only. */
export type UkrainianSearch = 'hunspell' | 'simple+unaccent' | 'simple' | 'missing';

/** A DataSource or a QueryRunner: anything that runs one SQL statement. */
type Runner = { query(sql: string, params?: unknown[]): Promise<unknown> };

/**
 * The per-language text search of issue 16, in `schema`:
 * - `timeline_uk`: Ukrainian has no Snowball stemmer in PostgreSQL, so the `uk_UA` Hunspell files
 *   (npm `dictionary-uk`) as an `ispell` dictionary (військами → військо), unknown words as they are,
 *   Latin words by English stemming. Without the files (an external server where nothing can be
 *   installed) it falls back to simple + unaccent, or simple; {@link ukrainianSearchStatus} says which.
 * - `search_config(lang)`: a BCP 47 tag's configuration: `english`, `russian` (Snowball, built in),
 *   `timeline_uk`, else `simple`.
 * - `entry_search_vector(texts)`: the tsvector of an entry's `search_texts` (each language's text
 *   under its configuration; `names` under simple) — the generated `search` column and `asOf` reads
 *   both use it, so the live index and a historical search agree.
 * Must run inside a transaction (savepoints try the dictionary and the extension).
 */
export async function createTextSearch(q: Runner, schema: string, opts: { hunspellFile?: string } = {}): Promise<UkrainianSearch> {
  const s = ident(schema);
  const file = opts.hunspellFile ?? HUNSPELL_UK_FILE;
  if (!/^[a-z0-9_]+$/.test(file)) throw new Error(`bad Hunspell file name ${file}`);
  let mode: UkrainianSearch = 'hunspell';
  await q.query(`CREATE TEXT SEARCH CONFIGURATION ${s}.timeline_uk (COPY = pg_catalog.simple)`);
  await q.query(
    `ALTER TEXT SEARCH CONFIGURATION ${s}.timeline_uk ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH pg_catalog.english_stem`,
  );
  // CREATE DICTIONARY loads the files, so a missing or unreadable file fails here, not at first search.
  if (
    await attempt(q, `CREATE TEXT SEARCH DICTIONARY ${s}.timeline_uk_hunspell (TEMPLATE = ispell, DictFile = ${file}, AffFile = ${file})`)
  ) {
    await q.query(
      `ALTER TEXT SEARCH CONFIGURATION ${s}.timeline_uk ALTER MAPPING FOR word, hword, hword_part WITH ${s}.timeline_uk_hunspell, pg_catalog.simple`,
    );
  } else {
    // unaccent is a trusted extension (PostgreSQL 13+): a database owner may create it.
    const ext = (await attempt(q, 'CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public'))
      ? (
          (await q.query(
            `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'`,
          )) as {
            nspname: string;
          }[]
        )[0]?.nspname
      : undefined;
    if (ext) {
      await q.query(
        `ALTER TEXT SEARCH CONFIGURATION ${s}.timeline_uk ALTER MAPPING FOR word, hword, hword_part WITH ${ident(ext)}.unaccent, pg_catalog.simple`,
      );
      mode = 'simple+unaccent';
    } else mode = 'simple';
  }
  await q.query(`
    CREATE OR REPLACE FUNCTION ${s}.search_config(lang text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
      SELECT CASE split_part(lower(lang), '-', 1)
        WHEN 'en' THEN 'pg_catalog.english'::regconfig
        WHEN 'ru' THEN 'pg_catalog.russian'::regconfig
        WHEN 'uk' THEN ${literal(`${s}.timeline_uk`)}::regconfig
        ELSE 'pg_catalog.simple'::regconfig END
    $fn$`);
  await q.query(`
    CREATE OR REPLACE FUNCTION ${s}.entry_search_vector(texts jsonb) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
    DECLARE
      v tsvector := ''::tsvector;
      k text;
      t text;
    BEGIN
      -- jsonb keeps its keys sorted: one text gives one vector, positions included (rebuilds compare).
      FOR k, t IN SELECT key, value FROM jsonb_each_text(coalesce(texts, '{}'::jsonb)) LOOP
        v := v || to_tsvector(${s}.search_config(k), t);
      END LOOP;
      RETURN v;
    END
    $fn$`);
  return mode;
}

/** Which Ukrainian search `schema` has (for the boot log line and `/health`). */
export async function ukrainianSearchStatus(q: Runner, schema: string): Promise<UkrainianSearch> {
  const rows = (await q.query(
    `SELECT t.tmplname, d.dictname
       FROM pg_ts_config c
       JOIN pg_namespace n ON n.oid = c.cfgnamespace
       JOIN pg_ts_config_map m ON m.mapcfg = c.oid
       JOIN pg_ts_dict d ON d.oid = m.mapdict
       JOIN pg_ts_template t ON t.oid = d.dicttemplate
      WHERE n.nspname = $1 AND c.cfgname = 'timeline_uk'`,
    [schema],
  )) as { tmplname: string; dictname: string }[];
  if (rows.length === 0) return 'missing';
  if (rows.some((r) => r.tmplname === 'ispell')) return 'hunspell';
  if (rows.some((r) => r.dictname === 'unaccent')) return 'simple+unaccent';
  return 'simple';
}

/** One sentence for the boot log and `/health` about a degraded Ukrainian search. */
export function ukrainianSearchNote(mode: UkrainianSearch): string | undefined {
  if (mode === 'hunspell') return undefined;
  if (mode === 'missing') return 'text search configurations missing: run the migrations';
  return `Ukrainian search without Hunspell (${mode}): the uk_UA dictionary files are not in the server's tsearch_data, so Ukrainian words match only as written (tools/infra installs them into the embedded PostgreSQL; see docs/operations.md)`;
}

async function attempt(q: Runner, sql: string): Promise<boolean> {
  await q.query('SAVEPOINT timeline_text_search');
  try {
    await q.query(sql);
    await q.query('RELEASE SAVEPOINT timeline_text_search');
    return true;
  } catch {
    await q.query('ROLLBACK TO SAVEPOINT timeline_text_search');
    return false;
  }
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The `search` check of `/health`: `up` with `ukrainian: "hunspell"`, or `up` with the fallback named
 * and a note (a supported setup, not an incident); `degraded` when the configurations are missing.
 */
export async function textSearchHealth(
  q: Runner,
  schema: string,
): Promise<{ status: 'up' | 'degraded'; ukrainian: UkrainianSearch; note?: string }> {
  const mode = await ukrainianSearchStatus(q, schema);
  const note = ukrainianSearchNote(mode);
  return { status: mode === 'missing' ? 'degraded' : 'up', ukrainian: mode, ...(note ? { note } : {}) };
}

/**
 * The boot line of issue 16: a warning naming the fallback when the schema's Ukrainian search has no
 * Hunspell; nothing when it has, or when the schema is not migrated yet (then `/health` says so).
 */
export async function warnOnTextSearchFallback(
  q: Runner,
  schema: string,
  logger: { warn(obj: object, msg?: string): void } | undefined,
): Promise<UkrainianSearch | undefined> {
  const mode = await ukrainianSearchStatus(q, schema).catch(() => undefined);
  if (mode === 'simple' || mode === 'simple+unaccent') logger?.warn({ ukrainianSearch: mode }, ukrainianSearchNote(mode));
  return mode;
}
