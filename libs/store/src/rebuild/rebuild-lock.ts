import type { DataSource, QueryRunner } from 'typeorm';
import { RebuildInProgressError } from './rebuild-in-progress.error.js';

/**
 * First key of the two-key advisory lock (`'TLRB'`); the second is `hashtext(current_schema())`, so
 * deployments (and test schemas) sharing one database do not block each other.
 */
const LOCK_CLASS = 0x544c5242;

/**
 * The session-level advisory lock that makes rebuilds and verifies exclusive per schema. Held on a
 * dedicated connection for the whole run: if the process dies (even SIGKILL) Postgres drops the
 * session and the lock with it, so an interrupted rebuild never blocks the next one.
 */
export class RebuildLock {
  private constructor(private readonly runner: QueryRunner) {}

  /** Takes the lock or throws {@link RebuildInProgressError} at once (never waits). */
  static async acquire(ds: DataSource): Promise<RebuildLock> {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      // The lock outlives statements; statement_timeout must not apply to an idle holder anyway.
      const rows = (await runner.query('SELECT pg_try_advisory_lock($1, hashtext(current_schema())) AS ok', [LOCK_CLASS])) as {
        ok: boolean;
      }[];
      if (!rows[0]?.ok) throw new RebuildInProgressError();
      return new RebuildLock(runner);
    } catch (err) {
      await runner.release();
      throw err;
    }
  }

  /** True when some session (any process) holds the lock for the data source's schema. */
  static async isHeld(ds: DataSource): Promise<boolean> {
    const rows = (await ds.query(
      `SELECT EXISTS (
         SELECT 1 FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND objsubid = 2
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND classid = $1::int4::oid AND objid = hashtext(current_schema())::oid
       ) AS held`,
      [LOCK_CLASS],
    )) as { held: boolean }[];
    return rows[0]?.held === true;
  }

  async release(): Promise<void> {
    try {
      await this.runner.query('SELECT pg_advisory_unlock($1, hashtext(current_schema()))', [LOCK_CLASS]);
    } finally {
      await this.runner.release();
    }
  }
}
