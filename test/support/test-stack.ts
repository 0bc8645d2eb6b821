import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@timeline/config';
import { ensureTopics, timelineTopics, type TopicSpec } from '@timeline/kafka';
import { startApp, type RunningApp } from './app-process.js';

/** The apps a stack can run (the CLI is run per command, not started). */
type ServiceName = 'ingest' | 'projector' | 'timeline-api';
import { createTestDatabase } from './database.js';
import { testKafka } from './kafka.js';

/** What {@link useTestStack} opened for one suite (valid inside its tests). */
export interface TestStack {
  readonly ds: DataSource;
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** The running app started as `name` in `apps`. */
  app(name: ServiceName): RunningApp;
  /** Starts one more app process (e.g. with other settings), stopped with the others in `afterAll`. */
  start(name: ServiceName, env: Record<string, string>): Promise<RunningApp>;
}

/**
 * One suite's private stack on the shared broker and database: a migrated schema, the events and
 * dead-letter topics (`events` overrides the events topic's spec, e.g. LogAppendTime), and the built
 * `apps` started in parallel — opened in `beforeAll`, torn down in `afterAll` (apps stopped, topics
 * deleted, schema dropped).
 */
export function useTestStack(
  config: AppConfig,
  env: Record<string, string>,
  apps: readonly ServiceName[] = [],
  opts: { events?: Partial<TopicSpec> } = {},
): TestStack {
  let ds: DataSource | undefined;
  let drop: (() => Promise<void>) | undefined;
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  const running = new Map<ServiceName, RunningApp>();
  const extra: RunningApp[] = [];
  const topics = timelineTopics(config.kafka);

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    kafka = testKafka(config);
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ ...topics.events, ...opts.events }, topics.dlq]);
    const started = await Promise.all(apps.map((name) => startApp(name, env)));
    apps.forEach((name, i) => running.set(name, started[i]!));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([...running.values(), ...extra.splice(0)].map((a) => a.stop()));
    await admin?.deleteTopics({ topics: [topics.events.topic, topics.dlq.topic] }).catch(() => undefined);
    await admin?.disconnect();
    await drop?.();
  }, 60_000);

  const opened = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the test stack's ${what} is not open (see beforeAll)`);
    return v;
  };
  return {
    get ds() {
      return opened(ds, 'database');
    },
    get kafka() {
      return opened(kafka, 'Kafka client');
    },
    get admin() {
      return opened(admin, 'Kafka admin');
    },
    app: (name) => opened(running.get(name), `app ${name}`),
    start: async (name, appEnv) => {
      const started = await startApp(name, appEnv);
      extra.push(started);
      return started;
    },
  };
}
