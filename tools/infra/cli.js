#!/usr/bin/env node
// @ts-check
/** `npm run infra:up | infra:down | infra:status` — see tools/infra/index.js. */
import { InfraError, ensureInfra, infraStatus, stopInfra } from './index.js';

const command = process.argv[2] ?? 'status';
const log = (/** @type {string} */ msg) => console.log(`[infra] ${msg}`);

try {
  if (command === 'up') {
    const t0 = Date.now();
    const infra = await ensureInfra({ log });
    log(`Kafka     ${infra.kafkaBrokers}${infra.started.kafka ? ' (started)' : ' (already running)'}`);
    log(`Postgres  ${infra.databaseUrl.replace(/:[^:@/]+@/, ':***@')}${infra.started.postgres ? ' (started)' : ' (already running)'}`);
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s — stop with \`npm run infra:down\``);
  } else if (command === 'down') {
    const r = await stopInfra();
    log(`Kafka: ${r.kafka}; Postgres: ${r.postgres}`);
  } else if (command === 'status') {
    const s = infraStatus();
    log(`Kafka     ${s.kafka.pid ? `running (pid ${s.kafka.pid}) on ${s.kafka.brokers}` : 'not running'} — log ${s.logs.kafka}`);
    log(`Postgres  ${s.postgres.pid ? `running (pid ${s.postgres.pid})` : 'not running'} — log ${s.logs.postgres}`);
    if (process.env.KAFKA_BROKERS) log(`KAFKA_BROKERS is set (${process.env.KAFKA_BROKERS}): the local broker is not used`);
    if (process.env.DATABASE_URL) log('DATABASE_URL is set: the embedded PostgreSQL is not used');
  } else {
    console.error(`unknown command "${command}"; use up, down or status`);
    process.exit(2);
  }
} catch (err) {
  if (err instanceof InfraError) {
    console.error(`[infra] error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
