import type { DataSource } from 'typeorm';
import { createProjectionPartitions } from '../projection-ddl.js';
import { ident, projectionTable } from '../sql.js';
import { RebuildRequestError } from './rebuild-request.error.js';

/** Where a version's events come from: the Kafka topic from offset 0, or the archive. */
export type RebuildSource = 'kafka' | 'event_log';

/** One row of `projections`, with whether its partitions still exist. */
export interface ProjectionVersionInfo {
  readonly name: string;
  readonly status: 'building' | 'active' | 'retired';
  readonly source: RebuildSource;
  readonly createdAt: string;
  readonly activatedAt: string | null;
  readonly retiredAt: string | null;
  /** False once a retired version's partitions were dropped. */
  readonly hasPartitions: boolean;
}

const READ_MODEL_TABLES = ['timeline_entries', 'entry_versions', 'pending_corrections'] as const;
/** How long DDL waits for a lock before retrying: a queued ACCESS EXCLUSIVE request would stall every reader behind it. */
const DDL_LOCK_TIMEOUT = '2s';
const DDL_ATTEMPTS = 15;
const RETRIED_DDL_STATES = new Set(['55P03', '40P01']);

/**
 * The `projections` table and the per-version partitions: create a version to build, list them, drop
 * a retired one — without ever blocking the API's reads for long (ARCHITECTURE.md "Replay").
 */
export class ProjectionVersions {
  constructor(
    private readonly ds: DataSource,
    private readonly schema: string,
  ) {}

  /** Every version, oldest first. */
  async list(): Promise<ProjectionVersionInfo[]> {
    const rows = (await this.ds.query(
      `SELECT p.name, p.status, p.source,
              to_json(p.created_at) #>> '{}' AS created_at, to_json(p.activated_at) #>> '{}' AS activated_at,
              to_json(p.retired_at) #>> '{}' AS retired_at,
              to_regclass(quote_ident(current_schema()) || '.' || quote_ident('timeline_entries__' || p.name)) IS NOT NULL AS has_partitions
       FROM projections p ORDER BY p.created_at, p.name`,
    )) as {
      name: string;
      status: ProjectionVersionInfo['status'];
      source: RebuildSource;
      created_at: string;
      activated_at: string | null;
      retired_at: string | null;
      has_partitions: boolean;
    }[];
    return rows.map((r) => ({
      name: r.name,
      status: r.status,
      source: r.source,
      createdAt: r.created_at,
      activatedAt: r.activated_at,
      retiredAt: r.retired_at,
      hasPartitions: r.has_partitions,
    }));
  }

  async get(name: string): Promise<ProjectionVersionInfo | undefined> {
    return (await this.list()).find((v) => v.name === name);
  }

  /** Name of the version `active_projection` points at. */
  async active(): Promise<string> {
    const rows = (await this.ds.query('SELECT name FROM active_projection')) as { name: string }[];
    const name = rows[0]?.name;
    if (!name) throw new RebuildRequestError('active_projection is empty: run the migrations (npm run cli -- migrate)');
    return name;
  }

  /**
   * Registers `name` as `building` and creates its partitions, in one transaction.
   * `CREATE TABLE … PARTITION OF` briefly takes an ACCESS EXCLUSIVE lock on the parent tables; with a
   * short lock_timeout and retries it never queues in front of the API's reads for more than that.
   */
  async create(name: string, source: RebuildSource): Promise<void> {
    await this.withDdlRetry(async () => {
      await this.ds.transaction(async (m) => {
        await m.query(`SET LOCAL lock_timeout = '${DDL_LOCK_TIMEOUT}'`);
        // First the pointer, as a rebuild's switch does: every live batch takes it FOR SHARE before it
        // touches a read-model table, so once we hold it no batch holds a lock on a parent table that
        // the ACCESS EXCLUSIVE locks below wait for. Without it, a batch that had written
        // entry_versions and waited for timeline_entries (held by our CREATE) deadlocked with us.
        await m.query('SELECT name FROM active_projection FOR UPDATE');
        await m.query(`INSERT INTO projections (name, status, source) VALUES ($1, 'building', $2)`, [name, source]);
        await createProjectionPartitions(m, this.schema, name);
      });
    });
  }

  /**
   * Drops a version's partitions and offsets (refuses the active version). Each partition is first
   * detached CONCURRENTLY — that takes only a SHARE UPDATE EXCLUSIVE lock on the parent, so the API
   * and the live projector keep reading and writing the other versions meanwhile — then dropped.
   * With `forget`, the `projections` row goes too (a discarded build, a verify's scratch version);
   * otherwise it stays as history (`retired`).
   */
  async drop(name: string, opts: { forget?: boolean } = {}): Promise<void> {
    if ((await this.active()) === name)
      throw new RebuildRequestError(`"${name}" is the active projection; switch to another version first`);
    const s = ident(this.schema);
    for (const table of READ_MODEL_TABLES) {
      const child = projectionTable(table, name);
      const attached = (await this.ds.query(
        `SELECT i.inhdetachpending AS pending FROM pg_inherits i
         WHERE i.inhrelid = to_regclass($1) AND i.inhparent = to_regclass($2)`,
        [`${s}.${child}`, `${s}.${ident(table)}`],
      )) as { pending: boolean }[];
      if (attached[0]) {
        // An earlier DETACH … CONCURRENTLY interrupted half-way leaves the partition "detach pending".
        const mode = attached[0].pending ? 'FINALIZE' : 'CONCURRENTLY';
        await this.withDdlRetry(() => this.ds.query(`ALTER TABLE ${s}.${ident(table)} DETACH PARTITION ${s}.${child} ${mode}`));
      }
      await this.ds.query(`DROP TABLE IF EXISTS ${s}.${child}`);
    }
    await this.ds.query('DELETE FROM projector_offsets WHERE projection = $1', [name]);
    if (opts.forget) await this.ds.query('DELETE FROM projections WHERE name = $1', [name]);
  }

  private async withDdlRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        // 55P03: lock_timeout. 40P01: chosen as a deadlock victim — the CREATE … PARTITION OF locks
        // timeline_entries then entry_versions, a live projector batch holds entry_versions (its
        // duplicate check) and waits for timeline_entries; PostgreSQL rolls one back, and when it is
        // this DDL transaction, trying again is all it takes (rebuild e2e, "rebuild: deadlock detected").
        if (attempt >= DDL_ATTEMPTS || !RETRIED_DDL_STATES.has(sqlState(err) ?? '')) throw err;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }
}

function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}
