// @ts-check
/**
 * Jest global setup: reuse running infrastructure (or KAFKA_BROKERS / DATABASE_URL) or start the
 * local Kafka broker and embedded Postgres. Workers inherit the resulting environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureInfra } from '../../tools/infra/index.js';
import { DATA_DIR } from '../../tools/infra/paths.js';

export default async function globalSetup() {
  // `npm run test:unit`: unit tests need neither Kafka nor PostgreSQL, so none is started (issue 12).
  if (process.env.TIMELINE_TEST_NO_INFRA === '1') {
    process.stderr.write('[test infra] unit tests only: no Kafka or PostgreSQL started\n');
    return;
  }
  const t0 = Date.now();
  const infra = await ensureInfra({ log: (m) => process.stderr.write(`[test infra] ${m}\n`) });
  process.env.KAFKA_BROKERS = infra.kafkaBrokers;
  process.env.DATABASE_URL = infra.databaseUrl;
  process.env.API_CURSOR_SECRET = infra.cursorSecret;
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  process.env.NODE_ENV = 'test';
  // The teardown stops only what this run started (a developer's running infra is left alone).
  fs.mkdirSync(DATA_DIR, { recursive: true });
  fs.writeFileSync(path.join(DATA_DIR, 'test-run-started.json'), JSON.stringify(infra.started));
  process.stderr.write(
    `[test infra] Kafka ${infra.kafkaBrokers}${infra.started.kafka ? ' (started)' : ''}, ` +
      `Postgres ${infra.started.postgres ? 'embedded (started)' : 'reused'} in ${Date.now() - t0} ms\n`,
  );
}
