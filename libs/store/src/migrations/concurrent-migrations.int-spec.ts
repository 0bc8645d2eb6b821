import pg from 'pg';
import { loadConfig } from '@timeline/config';
import { testEnv } from '../../../../test/support/index.js';
import { createDataSource, runMigrations } from '../index.js';

/**
 * Schemas of one fresh database migrated at once (test suites, several deployments on one server):
 * the database-wide extensions must not make one of them fail (CI: duplicate key in
 * pg_extension_name_index when two migrations created pg_trgm together).
 */
describe('several schemas migrating at once on a fresh database', () => {
  it('all succeed, and pg_trgm exists once', async () => {
    const base = testEnv();
    const name = `${base.DATABASE_SCHEMA}_db`;
    const admin = new pg.Client({ connectionString: base.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(base.DATABASE_URL!);
    url.pathname = `/${name}`;
    const sources = [1, 2, 3, 4].map((i) =>
      createDataSource(loadConfig({ ...base, DATABASE_URL: url.toString(), DATABASE_SCHEMA: `s${i}` }).database, { poolSize: 2 }),
    );
    try {
      await Promise.all(sources.map((ds) => ds.initialize()));
      const applied = await Promise.all(sources.map((ds) => runMigrations(ds)));
      for (const names of applied) expect(names).toContain('Corroboration1764400000000');
      const [ext] = (await sources[0]!.query(`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_trgm'`)) as { n: number }[];
      expect(ext!.n).toBe(1);
    } finally {
      await Promise.all(sources.map((ds) => (ds.isInitialized ? ds.destroy() : undefined)));
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  }, 120_000);
});
