import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '@timeline/config';
import { hashApiKey } from '@timeline/http';
import { ensureTopics, timelineTopics } from '@timeline/kafka';
import {
  ARTIFACTS_DIR,
  IngestLoad,
  checkFaultInvariants,
  createTestDatabase,
  processAlive,
  startApp,
  testEnv,
  testKafka,
  startPrivateInfra,
  waitFor,
  type FaultInvariantInput,
  type FaultInvariantReport,
  type IngestLoadOptions,
  type IngestLoadReport,
  type PrivateInfra,
  type PrivateInfraOptions,
  type RunningApp,
} from '../support/index.js';

/** Everything one fault scenario needs: its own schema, topics, group, editor key, and the apps it started. */
export interface FaultHarness {
  readonly env: Record<string, string>;
  readonly config: AppConfig;
  readonly editorKey: string;
  readonly ds: DataSource;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly topic: string;
  readonly dlqTopic: string;
  /** The projector's `application_name` in pg_stat_activity. */
  readonly projectorSession: string;
  /** Starts a built app as a child process with the scenario's environment (plus `overrides`). */
  start(
    name: 'ingest' | 'projector' | 'timeline-api',
    overrides?: Record<string, string>,
    opts?: { waitHealthy?: boolean },
  ): Promise<RunningApp>;
  /** Every pid this harness started (for the "no process left behind" check). */
  pids(): number[];
  /** A sustained load on `ingest` with the scenario's editor key. */
  load(ingest: RunningApp, opts?: Omit<IngestLoadOptions, 'url' | 'apiKey'>): IngestLoad;
  count(sql: string, params?: unknown[]): Promise<number>;
  /** {@link checkFaultInvariants} on this scenario's schema and topic. */
  check(input: Omit<FaultInvariantInput, 'ds' | 'kafka' | 'topic'>): Promise<FaultInvariantReport>;
  /** Waits until `event_log` holds more than `n` rows (the projector is working). */
  waitForArchived(n: number, timeoutMs?: number): Promise<void>;
  /** Notes when a phase of the scenario was reached (seconds since the harness opened), for the result file. */
  mark(phase: string): void;
  readonly phases: Record<string, number>;
  /** Stops the loads and the apps (SIGTERM, SIGKILL after 15 s), deletes the topics, drops the schema. */
  close(): Promise<void>;
}

/**
 * Opens a scenario on the shared infrastructure, or on `infra` (a private broker/database the scenario
 * may stop). Rate limits are off: the scenarios measure the pipeline, not the limiter.
 */
export async function openFaultHarness(
  opts: { infra?: PrivateInfra; partitions?: number; env?: Record<string, string> } = {},
): Promise<FaultHarness> {
  const editorKey = randomBytes(24).toString('base64url');
  const env = testEnv({
    KAFKA_TOPIC_PARTITIONS: String(opts.partitions ?? 3),
    API_KEYS: `fault-editor:editor:${hashApiKey(editorKey)}`,
    RATE_LIMIT_WRITES_PER_MINUTE: '0',
    RATE_LIMIT_STREAMS_PER_MINUTE: '0',
    ...(opts.infra ? { KAFKA_BROKERS: opts.infra.kafkaBrokers, DATABASE_URL: opts.infra.databaseUrl } : {}),
    ...opts.env,
  });
  const config = loadConfig(env);
  const { ds, drop } = await createTestDatabase(config);
  const kafka = testKafka(config);
  const admin = kafka.admin();
  await admin.connect();
  const topics = timelineTopics(config.kafka);
  await ensureTopics(admin, [topics.events, topics.dlq]);
  const apps: RunningApp[] = [];
  const loads: IngestLoad[] = [];
  const pids: number[] = [];
  const opened = Date.now();
  const phases: Record<string, number> = {};

  return {
    env,
    config,
    editorKey,
    ds,
    kafka,
    admin,
    topic: topics.events.topic,
    dlqTopic: topics.dlq.topic,
    projectorSession: `projector ${config.kafka.clientId}`.slice(0, 63),
    async start(name, overrides = {}, startOpts = {}) {
      const app = await startApp(name, { ...env, ...overrides }, startOpts);
      apps.push(app);
      if (app.child.pid) pids.push(app.child.pid);
      return app;
    },
    pids: () => [...pids],
    mark: (phase) => {
      phases[phase] = Math.round((Date.now() - opened) / 100) / 10;
    },
    phases,
    load: (ingest, loadOpts = {}) => {
      const load = new IngestLoad({ ...loadOpts, url: ingest.url, apiKey: editorKey });
      loads.push(load);
      return load;
    },
    async count(sql, params = []) {
      return Number((await ds.query(sql, params))[0].n);
    },
    check: (input) => checkFaultInvariants({ ...input, ds, kafka, topic: topics.events.topic }),
    async waitForArchived(n, timeoutMs = 60_000) {
      await waitFor(
        `more than ${n} events archived`,
        async () => (Number((await ds.query('SELECT count(*) AS n FROM event_log'))[0].n) > n ? true : undefined),
        timeoutMs,
      );
    },
    async close() {
      // A failed scenario leaves its load running; stop it before the apps it talks to.
      await Promise.all(loads.map((l) => l.stop()));
      await Promise.all(apps.map((a) => a.stop(15_000)));
      // Every app's output, for the post-mortem of a failed scenario (git-ignored).
      const logs = path.join(ARTIFACTS_DIR, 'faults', 'logs', config.database.schema);
      fs.mkdirSync(logs, { recursive: true });
      apps.forEach((a, i) => fs.writeFileSync(path.join(logs, `${i}-${a.name}-${a.child.pid ?? 'x'}.log`), a.output()));
      // Invariant 5, for the whole scenario: every process it started is gone.
      const left = pids.filter(processAlive);
      if (left.length) throw new Error(`processes left behind: ${left.join(', ')}`);
      await admin.deleteTopics({ topics: [topics.events.topic, topics.dlq.topic] }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await drop().catch(() => undefined);
    },
  };
}

/**
 * Writes the scenario's outcome to `test-artifacts/faults/<scenario>.json` (git-ignored), the source
 * of the "last result" column of docs/reliability.md.
 */
export function recordFaultResult(scenario: string, startedAt: number, facts: Record<string, unknown>): void {
  const dir = path.join(ARTIFACTS_DIR, 'faults');
  fs.mkdirSync(dir, { recursive: true });
  const result = { scenario, passedAt: new Date().toISOString(), durationMs: Date.now() - startedAt, ...facts };
  fs.writeFileSync(path.join(dir, `${scenario}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Opens a harness — on private infrastructure when `privateInfra` asks for it — before the enclosing
 * `describe` block's tests and closes both after them, even when a test failed.
 */
export function useFaultHarness(opts: { privateInfra?: PrivateInfraOptions; partitions?: number; env?: Record<string, string> } = {}): {
  harness(): FaultHarness;
  infra(): PrivateInfra;
} {
  let h: FaultHarness | undefined;
  let infra: PrivateInfra | undefined;
  beforeAll(async () => {
    if (opts.privateInfra) infra = await startPrivateInfra(opts.privateInfra);
    h = await openFaultHarness({ ...(infra ? { infra } : {}), partitions: opts.partitions ?? 3, ...(opts.env ? { env: opts.env } : {}) });
  }, 180_000);
  afterAll(async () => {
    try {
      await h?.close();
    } finally {
      await infra?.down();
    }
  }, 180_000);
  return {
    harness: () => {
      if (!h) throw new Error('the fault harness did not open (see beforeAll)');
      return h;
    },
    infra: () => {
      if (!infra) throw new Error('this scenario runs on the shared infrastructure');
      return infra;
    },
  };
}

/** A load that met no fault on the write path: every request answered 202, with the ids sent. */
export function expectEveryRequestAccepted(report: IngestLoadReport): void {
  expect(report.unexpected).toEqual([]);
  expect(report.transportErrors).toBe(0);
  expect(report.mismatched).toBe(0);
  expect(report.statuses).toEqual({ '202': report.requests });
}
