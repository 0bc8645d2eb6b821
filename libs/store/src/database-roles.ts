import type { DataSource } from 'typeorm';
import { ident } from './sql.js';

/** Options of {@link applyDatabaseRoles}. */
export interface DatabaseRolesOptions {
  /** The schema the roles are for (`DATABASE_SCHEMA`). */
  readonly schema: string;
  /** Role that may only read the schema: the timeline API's. */
  readonly readerRole: string;
  /** Role that owns and writes the schema: the projector's (migrations, partitions, rebuilds, cli). */
  readonly writerRole: string;
}

/** What {@link applyDatabaseRoles} did. */
export interface DatabaseRolesReport {
  /** Roles that did not exist and were created (NOLOGIN: give them a login and password yourself). */
  readonly created: string[];
  /** Relations handed to the writer role. */
  readonly reassigned: number;
  /** Every statement run, for the operator's record. */
  readonly statements: string[];
}

/** A role name this command will quote: lower-case letters, digits, underscores (no quoting tricks). */
export function roleNameProblem(name: string): string | undefined {
  return /^[a-z_][a-z0-9_]{0,62}$/.test(name) ? undefined : `"${name}" is not a valid role name (lower-case letters, digits, _; max 63)`;
}

/**
 * Least privilege for the read model (ARCHITECTURE.md): in ONE transaction, idempotently,
 * - creates the two roles if missing (NOLOGIN; an existing role — e.g. a login your DBA made — is used as is);
 * - makes `writerRole` the owner of the schema and of every relation in it, so the projector can migrate,
 *   create projection partitions and write, and nothing outside the schema;
 * - lets `readerRole` use the schema and SELECT every table in it, now and later (default privileges
 *   for tables the writer creates), and nothing else: no INSERT/UPDATE/DELETE/TRUNCATE, no DDL — its
 *   one write path is EXECUTE on `rate_limit_take` (a SECURITY DEFINER function owned by the writer that
 *   updates the shared rate-limit buckets and nothing else).
 * Run it as a role that owns the schema or is a superuser (the migration's owner), after `migrate`;
 * run it again after a migration made by another role.
 */
export async function applyDatabaseRoles(ds: DataSource, opts: DatabaseRolesOptions): Promise<DatabaseRolesReport> {
  for (const name of [opts.readerRole, opts.writerRole]) {
    const problem = roleNameProblem(name);
    if (problem) throw new Error(problem);
  }
  if (opts.readerRole === opts.writerRole) throw new Error('the reader and writer roles must differ');
  const s = ident(opts.schema);
  const [reader, writer] = [ident(opts.readerRole), ident(opts.writerRole)];
  const statements: string[] = [];
  const created: string[] = [];
  let reassigned = 0;

  await ds.transaction(async (tx) => {
    const run = async (sql: string) => {
      statements.push(sql);
      await tx.query(sql);
    };
    const exists: { n: number }[] = await tx.query('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [opts.schema]);
    if (exists[0]!.n === 0) throw new Error(`schema "${opts.schema}" does not exist: run \`migrate\` first`);
    for (const role of [opts.readerRole, opts.writerRole]) {
      const found: { n: number }[] = await tx.query('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [role]);
      if (found[0]!.n === 0) {
        await run(`CREATE ROLE ${ident(role)} NOLOGIN`);
        created.push(role);
      }
    }

    // The writer owns the schema and everything in it (ownership is what DDL — migrations, partitions — needs).
    await run(`ALTER SCHEMA ${s} OWNER TO ${writer}`);
    const relations: { name: string; kind: string }[] = await tx.query(
      `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
       WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
         AND pg_get_userbyid(c.relowner) <> $2
         -- sequences owned by a table column follow their table
         AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
       ORDER BY c.relkind <> 'p', c.relname`,
      [opts.schema, opts.writerRole],
    );
    for (const r of relations) {
      const kind = r.kind === 'S' ? 'SEQUENCE' : r.kind === 'v' ? 'VIEW' : r.kind === 'm' ? 'MATERIALIZED VIEW' : 'TABLE';
      await run(`ALTER ${kind} ${s}.${ident(r.name)} OWNER TO ${writer}`);
      reassigned++;
    }

    // Functions too (the writer owns the SECURITY DEFINER rate_limit_take, so it runs with the writer's rights).
    const functions: { signature: string }[] = await tx.query(
      `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
       WHERE p.pronamespace = $1::regnamespace AND pg_get_userbyid(p.proowner) <> $2 ORDER BY 1`,
      [opts.schema, opts.writerRole],
    );
    for (const f of functions) {
      // regprocedure text is schema-qualified only when the schema is not on the search_path.
      const name = f.signature.includes('.') ? f.signature : `${s}.${f.signature}`;
      await run(`ALTER FUNCTION ${name} OWNER TO ${writer}`);
      reassigned++;
    }

    // The reader: schema usage and SELECT, nothing more — and the same on tables the writer creates later.
    // Its only write path is rate_limit_take (shared rate-limit buckets, issue 13), a SECURITY DEFINER
    // function that touches nothing else: taken from PUBLIC and given to the reader alone. The other
    // functions of the schema only compute (the search's search_config / entry_search_vector, issue 16)
    // and stay executable — revoking them all made every `q=` search of the read API a 500.
    const rateLimit: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM pg_proc WHERE pronamespace = $1::regnamespace AND proname = 'rate_limit_take'`,
      [opts.schema],
    );
    if (rateLimit[0]!.n > 0) {
      await run(`REVOKE ALL ON FUNCTION ${s}.rate_limit_take(text, text, double precision) FROM PUBLIC`);
      await run(`GRANT EXECUTE ON FUNCTION ${s}.rate_limit_take(text, text, double precision) TO ${reader}`);
    }
    await run(`REVOKE ALL ON SCHEMA ${s} FROM PUBLIC`);
    await run(`REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${reader}`);
    await run(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM ${reader}`);
    await run(`GRANT USAGE ON SCHEMA ${s} TO ${reader}`);
    await run(`GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${reader}`);
    await run(`ALTER DEFAULT PRIVILEGES FOR ROLE ${writer} IN SCHEMA ${s} GRANT SELECT ON TABLES TO ${reader}`);
  });
  return { created, reassigned, statements };
}
