import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * The read side runs with a role that can only read (ARCHITECTURE.md, issue 12): every timeline API
 * a test starts on the shared database connects as `<schema>_api`, a login role with USAGE on the
 * suite's schema, SELECT on its tables now and later (default privileges of the role that migrates
 * it), and EXECUTE on the rate-limit function — nothing else. A write the API attempted would fail
 * the test instead of passing unnoticed. Roles are per schema; the global teardown drops those whose schema is gone.
 */
export async function readerUrlFor(databaseUrl: string, schema: string): Promise<string> {
  const url = new URL(databaseUrl);
  const owner = decodeURIComponent(url.username);
  const role = readerRoleName(schema);
  const password = createHash('sha256').update(`${role}:${databaseUrl}`).digest('hex').slice(0, 32);
  const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const c = new pg.Client({ connectionString: databaseUrl, application_name: 'jest reader role' });
  await c.connect();
  try {
    await c.query('BEGIN');
    // Serialised: suites of two workers create their roles at the same time (pg_authid is shared).
    await c.query(`SELECT pg_advisory_xact_lock(hashtext('timeline test reader roles'))`);
    const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (exists.rowCount === 0) await c.query(`CREATE ROLE ${q(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password}'`);
    // The projector migrates the schema later (an API may start first and answer 503 until then).
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
    await c.query(`GRANT USAGE ON SCHEMA ${q(schema)} TO ${q(role)}`);
    await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${q(schema)} TO ${q(role)}`);
    await c.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${q(owner)} IN SCHEMA ${q(schema)} GRANT SELECT ON TABLES TO ${q(role)}`);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await c.end();
  }
  url.username = role;
  url.password = password;
  return url.toString();
}

/** `<schema>_api`, within PostgreSQL's 63-byte names. */
export function readerRoleName(schema: string): string {
  return `${schema.slice(0, 59)}_api`;
}
