import { loadConfig, type AppConfig } from '@timeline/config';
import { uniqueName } from './names.js';

/**
 * Environment for one test: the shared broker and database from the global setup, with a schema,
 * topics and consumer group of its own so tests never see each other's data.
 */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const id = uniqueName('t');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    KAFKA_BROKERS: required('KAFKA_BROKERS'),
    DATABASE_URL: required('DATABASE_URL'),
    DATABASE_SCHEMA: id,
    KAFKA_TOPIC_EVENTS: `${id}.events`,
    KAFKA_TOPIC_PARTITIONS: '3',
    PROJECTOR_GROUP_ID: `${id}-projector`,
    KAFKA_CLIENT_ID: id,
    API_PORT: '0',
    INGEST_PORT: '0',
    PROJECTOR_PORT: '0',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...overrides,
  };
  return env;
}

/** {@link testEnv} parsed into a validated config. */
export function testConfig(overrides: Record<string, string> = {}): { env: Record<string, string>; config: AppConfig } {
  const env = testEnv(overrides);
  return { env, config: loadConfig(env) };
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run tests through \`npm test\` (its global setup starts the infrastructure)`);
  return v;
}
