import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '@timeline/config';
import type { Logger } from '@timeline/observability';
import { EventLogEntry } from './entities/event-log-entry.entity.js';
import { ActiveProjection, Projection } from './entities/projection.entity.js';
import { ProjectorOffset } from './entities/projector-offset.entity.js';
import { EntryVersion, PendingCorrection, TimelineEntry } from './entities/timeline-entry.entity.js';
import { TypeOrmPinoLogger } from './typeorm-pino.logger.js';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema.js';
import { ProjectorReadModel1764100000000 } from './migrations/1764100000000-projector-read-model.js';
import { SkippedRanges1764200000000 } from './migrations/1764200000000-skipped-ranges.js';
import { RateLimits1764290000000 } from './migrations/1764290000000-rate-limits.js';
import { MultilingualSearch1764300000000 } from './migrations/1764300000000-multilingual-search.js';
import { Corroboration1764400000000 } from './migrations/1764400000000-corroboration.js';
import { ClaimLinks1764500000000 } from './migrations/1764500000000-claim-links.js';

/** Every entity of the store, for DataSource construction. */
export const STORE_ENTITIES = [
  EventLogEntry,
  ProjectorOffset,
  Projection,
  ActiveProjection,
  TimelineEntry,
  EntryVersion,
  PendingCorrection,
];
/** Every migration, in order. */
export const STORE_MIGRATIONS = [
  InitialSchema1764000000000,
  ProjectorReadModel1764100000000,
  SkippedRanges1764200000000,
  RateLimits1764290000000,
  MultilingualSearch1764300000000,
  Corroboration1764400000000,
  ClaimLinks1764500000000,
];

/** Options for {@link createDataSource}. */
export interface DataSourceFactoryOptions {
  /** Application name shown in pg_stat_activity. @default "timeline" */
  applicationName?: string;
  /** Overrides the configured pool size. */
  poolSize?: number;
  /** Routes TypeORM's own log lines into this structured logger (else only errors, as plain text). */
  logger?: Logger;
  /** Bounds on every session of the pool, in ms; 0 or unset keeps the server's setting. */
  sessionTimeouts?: SessionTimeouts;
}

/** PostgreSQL session timeouts, in ms (0 = the server's setting, usually off). */
export interface SessionTimeouts {
  /** `idle_in_transaction_session_timeout`: the server ends a session whose transaction waits on its client that long. */
  readonly idleInTransactionMs?: number;
  /** `lock_timeout`: a statement waiting that long for a lock fails with SQLSTATE 55P03. */
  readonly lockMs?: number;
}

/**
 * A TypeORM data source bound to the configured schema (search_path = schema, public). Never
 * `synchronize`: the schema comes from migrations ({@link runMigrations}).
 */
export function createDataSource(db: DatabaseConfig, opts: DataSourceFactoryOptions = {}): DataSource {
  const options: DataSourceOptions = {
    type: 'postgres',
    url: db.url,
    schema: db.schema,
    ssl: db.ssl ? { rejectUnauthorized: true } : false,
    entities: STORE_ENTITIES,
    migrations: STORE_MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    ...(opts.logger ? { logger: new TypeOrmPinoLogger(opts.logger), logging: true } : { logging: ['error'] }),
    poolSize: opts.poolSize ?? db.poolSize,
    applicationName: opts.applicationName ?? 'timeline',
    extra: {
      options: `-c search_path=${db.schema},public`,
      connectionTimeoutMillis: 5000,
      // Fail statements stuck behind a lock instead of hanging a request forever.
      statement_timeout: 60_000,
      // Sent as startup parameters, so they hold from the first statement of every pooled connection.
      ...(opts.sessionTimeouts?.idleInTransactionMs
        ? { idle_in_transaction_session_timeout: opts.sessionTimeouts.idleInTransactionMs }
        : {}),
      ...(opts.sessionTimeouts?.lockMs ? { lock_timeout: opts.sessionTimeouts.lockMs } : {}),
    },
  };
  return new DataSource(options);
}

/** Creates the schema if needed and applies pending migrations; returns the names applied. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const schema = (ds.options as { schema?: string }).schema;
  if (schema) {
    // CREATE SCHEMA IF NOT EXISTS checks the database-level CREATE privilege even when the schema
    // exists; the least-privilege writer role (cli db:roles) owns its schema but may create no other.
    const found: { n: number }[] = await ds.query('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found[0]!.n === 0) await ds.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  }
  // Migrations run on a connection of their own without the pool's statement_timeout: a migration
  // that backfills or indexes a large read model (1M entries: minutes) must not be cancelled after
  // 60 s and leave every app failing its boot. lock_timeout, when set, still holds.
  const options = ds.options as DataSourceOptions & { extra?: Record<string, unknown> };
  const migrator = new DataSource({ ...options, poolSize: 2, extra: { ...options.extra, statement_timeout: 0 } } as DataSourceOptions);
  await migrator.initialize();
  // Two processes migrating at once (apps booting together) serialise on an advisory lock.
  const qr = migrator.createQueryRunner();
  await qr.connect();
  try {
    // Waiting for another process's migrations is not a stuck lock: no lock_timeout for this wait.
    await qr.query('SET lock_timeout = 0');
    await qr.query('SELECT pg_advisory_lock(hashtext($1))', [`timeline-migrations:${schema ?? ''}`]);
    await qr.query('RESET lock_timeout');
    const applied = await migrator.runMigrations({ transaction: 'all' });
    return applied.map((m) => m.name);
  } finally {
    await qr.query('SELECT pg_advisory_unlock(hashtext($1))', [`timeline-migrations:${schema ?? ''}`]).catch(() => undefined);
    await qr.release();
    await migrator.destroy();
  }
}

/** `SELECT 1` round trip for /health. */
export async function databaseHealth(ds: DataSource): Promise<{ status: 'up' | 'down'; latencyMs?: number; error?: string }> {
  const t0 = performance.now();
  try {
    await ds.query('SELECT 1');
    return { status: 'up', latencyMs: Math.round((performance.now() - t0) * 10) / 10 };
  } catch (err) {
    return { status: 'down', error: err instanceof Error ? err.message : String(err) };
  }
}
