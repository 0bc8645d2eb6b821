import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { logLevel, type Admin, type Kafka } from 'kafkajs';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '@timeline/config';
import { createKafka, ensureTopics, timelineTopics } from '@timeline/kafka';
import { createDataSource, runMigrations } from '@timeline/store';

/** Repository root (this file runs from bench/dist/support). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface InfraModule {
  ensureInfra(options?: { log?: (msg: string) => void }): Promise<{
    kafkaBrokers: string;
    databaseUrl: string;
    started: { kafka: boolean; postgres: boolean };
  }>;
  stopInfra(which?: { kafka?: boolean; postgres?: boolean }): Promise<unknown>;
}

/** Events per benchmark: `BENCH_EVENTS` when set, else the benchmark's default. */
export function benchEvents(defaultN: number): number {
  const raw = process.env.BENCH_EVENTS;
  if (raw === undefined || raw === '') return defaultN;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 100) throw new Error(`BENCH_EVENTS must be an integer ≥ 100, got "${raw}"`);
  return n;
}

/** Whether `BENCH_EVENTS` was given (scaled-up run). */
export function scaled(): boolean {
  return Boolean(process.env.BENCH_EVENTS);
}

/** A free TCP port on 127.0.0.1 (so app processes can log at `warn` and still be found). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * One benchmark run on the real broker and database: reuses the running infrastructure (or starts
 * it, like the Jest global setup, and stops what it started), gives every run private schemas and
 * topics, and removes them all at the end — also on Ctrl-C.
 */
export class BenchRun {
  readonly id: string;
  readonly workDir: string;
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  private started: { kafka: boolean; postgres: boolean } = { kafka: false, postgres: false };
  private infra?: InfraModule;
  private brokers = '';
  private databaseUrl = '';
  private adminClient?: Admin;
  private closing?: Promise<void>;
  /** Consumer groups the run's processes may have created (deleted at the end). */
  readonly groups = new Set<string>();

  constructor(readonly name: string) {
    this.id = `bench_${name}_${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${this.id}-`));
  }

  /** Makes sure Kafka and Postgres are reachable (starting the local ones when needed). */
  async start(): Promise<this> {
    this.infra = (await import(pathToFileURL(path.join(ROOT, 'tools', 'infra', 'index.js')).href)) as InfraModule;
    const h = await this.infra.ensureInfra({ log: (m) => process.stderr.write(`[bench infra] ${m}\n`) });
    this.brokers = h.kafkaBrokers;
    this.databaseUrl = h.databaseUrl;
    this.started = h.started;
    process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
    const onSignal = () => {
      process.stderr.write(`\n[bench] interrupted: cleaning up ${this.id} …\n`);
      void this.close().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    return this;
  }

  get kafkaBrokers(): string {
    return this.brokers;
  }

  get dbUrl(): string {
    return this.databaseUrl;
  }

  /**
   * Environment of one "deployment" inside this run: its own schema, topic and consumer group.
   * Production settings otherwise (NODE_ENV=production, default partitions, warn-level logs).
   */
  private readonly cursorSecret = randomBytes(32).toString('base64url');

  env(suffix: string, overrides: Record<string, string> = {}): Record<string, string> {
    const id = `${this.id}_${suffix}`;
    this.groups.add(overrides.PROJECTOR_GROUP_ID ?? `${id}-projector`);
    return {
      NODE_ENV: 'production',
      // Production requires a cursor key; one per run is enough for a benchmark.
      API_CURSOR_SECRET: this.cursorSecret,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      KAFKA_BROKERS: this.brokers,
      DATABASE_URL: this.databaseUrl,
      DATABASE_SCHEMA: id,
      KAFKA_TOPIC_EVENTS: `${id}.events`,
      PROJECTOR_GROUP_ID: `${id}-projector`,
      KAFKA_CLIENT_ID: id,
      API_PORT: '0',
      INGEST_PORT: '0',
      PROJECTOR_PORT: '0',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      // One editor key drives hundreds of writes per second here: the per-key write limit (default
      // 1,200/min) is for deployments, not for measuring throughput.
      RATE_LIMIT_WRITES_PER_MINUTE: '0',
      ...overrides,
    };
  }

  config(env: Record<string, string>): AppConfig {
    return loadConfig(env);
  }

  /** A quiet kafkajs client. */
  kafka(config: AppConfig, clientId = this.id): Kafka {
    return createKafka({ ...config.kafka, clientId }, undefined, { logLevel: logLevel.NOTHING });
  }

  async admin(config: AppConfig): Promise<Admin> {
    if (!this.adminClient) {
      this.adminClient = this.kafka(config, `${this.id}-admin`).admin();
      await this.adminClient.connect();
    }
    return this.adminClient;
  }

  /** Creates the deployment's events + DLQ topics exactly as the apps would, deleted at the end. */
  async createTopics(config: AppConfig, partitions?: number): Promise<string> {
    const admin = await this.admin(config);
    const t = timelineTopics(config.kafka);
    const events = partitions === undefined ? t.events : { ...t.events, numPartitions: partitions };
    await ensureTopics(admin, [events, t.dlq]);
    this.cleanups.push(() => admin.deleteTopics({ topics: [t.events.topic, t.dlq.topic] }).catch(() => undefined));
    return t.events.topic;
  }

  /** Creates an extra bare topic (baselines), deleted at the end. */
  async createTopic(config: AppConfig, topic: string, partitions: number): Promise<string> {
    const admin = await this.admin(config);
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
    this.cleanups.push(() => admin.deleteTopics({ topics: [topic] }).catch(() => undefined));
    return topic;
  }

  /**
   * The deployment's schema, migrated (all tables and indexes); dropped at the end unless
   * `BENCH_KEEP_SCHEMA=1` (to study the plans of a 1M-entry timeline without seeding it again).
   */
  async migrate(config: AppConfig, opts: { keep?: boolean } = {}): Promise<DataSource> {
    const ds = createDataSource(config.database, { applicationName: `${this.name} bench`, poolSize: 4 });
    await ds.initialize();
    this.cleanups.push(async () => {
      if (opts.keep || process.env.BENCH_KEEP_SCHEMA === '1')
        process.stderr.write(`[bench] schema "${config.database.schema}" kept (BENCH_KEEP_SCHEMA=1)\n`);
      else await ds.query(`DROP SCHEMA IF EXISTS "${config.database.schema}" CASCADE`).catch(() => undefined);
      await ds.destroy().catch(() => undefined);
    });
    await runMigrations(ds);
    return ds;
  }

  /** A plain `pg` client for the bench's own measuring queries. */
  async pgClient(applicationName = `${this.name} bench`): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: this.databaseUrl, application_name: applicationName });
    await c.connect();
    this.cleanups.push(() => c.end().catch(() => undefined));
    return c;
  }

  /** Runs `fn` at the end (reverse order of registration). */
  onClose(fn: () => Promise<unknown>): void {
    this.cleanups.push(fn);
  }

  /** Removes every schema, topic and process this run made; stops infrastructure it started. */
  close(): Promise<void> {
    // One cleanup, however many callers (Ctrl-C and the failing benchmark's `finally` both close).
    this.closing ??= this.cleanUp();
    return this.closing;
  }

  private async cleanUp(): Promise<void> {
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`[bench] cleanup step failed: ${String(err)}\n`);
      }
    }
    if (this.adminClient && this.groups.size > 0) await this.adminClient.deleteGroups([...this.groups]).catch(() => undefined);
    await this.adminClient?.disconnect().catch(() => undefined);
    if (process.env.BENCH_KEEP_LOGS === '1') process.stderr.write(`[bench] process logs kept in ${this.workDir}\n`);
    else fs.rmSync(this.workDir, { recursive: true, force: true });
    if (this.infra && !process.env.TIMELINE_KEEP_INFRA && (this.started.kafka || this.started.postgres)) {
      await this.infra.stopInfra(this.started);
    }
  }
}
