import { installUndecodableBatchGuard } from './undecodable-batch-guard.js';
import { Kafka, logLevel, type Admin, type KafkaConfig as KafkaJsConfig, type LogEntry } from 'kafkajs';
import type { KafkaConfig } from '@timeline/config';
import { registerCompressionCodecs } from './codecs/compression-codecs.js';
import { resolveTopicSpec, type TopicSpec } from './topics.js';

/** Minimal structured-logger shape the Kafka wiring logs through. */
export interface KafkaLogSink {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Broker answers kafkajs logs at ERROR although it retries them itself and they are expected while a
 * group coordinator starts or moves (every fresh cluster's first join, every leader change): logged as
 * warnings, so an ERROR line means something an operator must look at.
 */
const RETRIED_BROKER_ERRORS = new Set([
  'The group coordinator is not available',
  "The coordinator is loading and hence can't process requests for this group",
  'This is not the correct coordinator for this group',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'This server is not the leader for that topic-partition',
]);

/** The level a kafkajs log entry is written at: its own, except {@link RETRIED_BROKER_ERRORS}. */
export function effectiveLogLevel(entry: Pick<LogEntry, 'level' | 'namespace' | 'log'>): logLevel {
  const error = (entry.log as { error?: unknown }).error;
  if (entry.level === logLevel.ERROR && entry.namespace === 'Connection' && typeof error === 'string' && RETRIED_BROKER_ERRORS.has(error)) {
    return logLevel.WARN;
  }
  return entry.level;
}

/**
 * Creates a kafkajs client from validated configuration, routing kafkajs logs to `sink`. Every client
 * built here decodes every Kafka codec (see {@link registerCompressionCodecs}).
 */
export function createKafka(cfg: KafkaConfig, sink?: KafkaLogSink, overrides: Partial<KafkaJsConfig> = {}): Kafka {
  // Before any fetch: a batch kafkajs cannot decode must park one partition, not fail every fetch.
  installUndecodableBatchGuard();
  registerCompressionCodecs();
  return new Kafka({
    clientId: cfg.clientId,
    brokers: cfg.brokers,
    ssl: cfg.ssl,
    ...(cfg.sasl ? { sasl: cfg.sasl as KafkaJsConfig['sasl'] } : {}),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      if (!sink) return;
      const { message, ...rest } = entry.log;
      const obj = { component: 'kafkajs', namespace: entry.namespace, ...rest };
      const level = effectiveLogLevel(entry);
      if (level === logLevel.ERROR) sink.error(obj, message);
      else if (level === logLevel.WARN) sink.warn(obj, message);
      else if (level === logLevel.INFO) sink.info(obj, message);
      else sink.debug(obj, message);
    },
    ...overrides,
  });
}

/**
 * Creates missing topics (existing ones are left as they are), with the replication settled for the
 * cluster's broker count ({@link resolveTopicSpec}). Safe to call from several processes at once: a
 * concurrent creation is not an error.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return [];
  try {
    // Not kafkajs's waitForLeaders: its few metadata retries give up with "This server does not host
    // this topic-partition" when a busy KRaft broker is slow to publish the new leaders (seen under
    // load in CI); waitForTopicLeaders below waits as long as that takes, within a bound.
    const brokers = (await admin.describeCluster()).brokers.length;
    await admin.createTopics({ topics: missing.map((s) => resolveTopicSpec(s, brokers)), waitForLeaders: false });
  } catch (err) {
    // TOPIC_ALREADY_EXISTS from a racing process is fine; anything else is not.
    const again = new Set(await admin.listTopics());
    if (!missing.every((s) => again.has(s.topic))) throw err;
  }
  await waitForTopicLeaders(
    admin,
    missing.map((s) => s.topic),
  );
  return missing.map((s) => s.topic);
}

/** Waits until every partition of `topics` has a leader (metadata propagated), or throws after `timeoutMs`. */
export async function waitForTopicLeaders(admin: Admin, topics: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs / 1000} s${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Broker reachability + cluster facts for /health. */
export async function kafkaHealth(
  admin: Admin,
): Promise<{ status: 'up' | 'down'; brokers?: number; controller?: number | null; error?: string }> {
  try {
    const cluster = await admin.describeCluster();
    return { status: 'up', brokers: cluster.brokers.length, controller: cluster.controller };
  } catch (err) {
    return { status: 'down', error: err instanceof Error ? err.message : String(err) };
  }
}
