// @ts-check
/** Jest global teardown: stops the services the global setup started (unless TIMELINE_KEEP_INFRA=1). */
import fs from 'node:fs';
import path from 'node:path';
import { stopInfra } from '../../tools/infra/index.js';
import { DATA_DIR } from '../../tools/infra/paths.js';

/**
 * The read-only roles test timeline APIs ran as (`test/support/reader-role.ts`: `<schema>_api`)
 * whose schema is gone: roles are cluster-wide, so a reused database would collect them.
 */
async function dropReaderRoles() {
  if (!process.env.DATABASE_URL) return;
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'jest teardown' });
  try {
    await c.connect();
    const { rows } = await c.query(
      `SELECT rolname FROM pg_roles r WHERE rolname LIKE 't\\_%\\_api'
         AND NOT EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname || '_api' = r.rolname)`,
    );
    for (const r of rows) {
      await c.query(`DROP OWNED BY "${r.rolname}"`).catch(() => undefined);
      await c.query(`DROP ROLE IF EXISTS "${r.rolname}"`).catch(() => undefined);
    }
  } catch {
    // The database may already be gone (a run that failed to start it): nothing to clean.
  } finally {
    await c.end().catch(() => undefined);
  }
}

export default async function globalTeardown() {
  await dropReaderRoles();
  const file = path.join(DATA_DIR, 'test-run-started.json');
  if (!fs.existsSync(file)) return;
  const started = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file, { force: true });
  if (process.env.TIMELINE_KEEP_INFRA === '1') return;
  if (started.kafka || started.postgres) await stopInfra(started);
}
