#!/usr/bin/env node
// @ts-check
/**
 * `npm run infra:up [-- --brokers N] | infra:down | infra:status` — see tools/infra/index.js.
 * `--brokers N` (or TIMELINE_KAFKA_NODES=N) runs N local Kafka broker+controller nodes (issue 13).
 */
import { InfraError, ensureInfra, infraStatus, stopInfra, underReplicatedPartitions } from './index.js';
import { parseNodeCount } from './kafka.js';

const command = process.argv[2] ?? 'status';
/** @returns {number | undefined} */
function brokersFlag() {
  const args = process.argv.slice(3);
  for (let i = 0; i < args.length; i++) {
    const a = /** @type {string} */ (args[i]);
    if (a === '--brokers') return parseNodeCount(args[i + 1] ?? '', '--brokers');
    if (a.startsWith('--brokers=')) return parseNodeCount(a.slice('--brokers='.length), '--brokers');
    throw new InfraError(`unknown option "${a}"; infra:up takes --brokers N`);
  }
  return undefined;
}
const log = (/** @type {string} */ msg) => console.log(`[infra] ${msg}`);

try {
  if (command === 'up') {
    const t0 = Date.now();
    const kafkaNodes = brokersFlag();
    const infra = await ensureInfra({ log, ...(kafkaNodes ? { kafkaNodes } : {}) });
    const nodes = infra.kafkaNodes && infra.kafkaNodes > 1 ? ` (${infra.kafkaNodes} nodes)` : '';
    log(`Kafka     ${infra.kafkaBrokers}${nodes}${infra.started.kafka ? ' (started)' : ' (already running)'}`);
    log(`Postgres  ${infra.databaseUrl.replace(/:[^:@/]+@/, ':***@')}${infra.started.postgres ? ' (started)' : ' (already running)'}`);
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s — stop with \`npm run infra:down\``);
  } else if (command === 'down') {
    const r = await stopInfra();
    log(`Kafka: ${r.kafka}; Postgres: ${r.postgres}`);
  } else if (command === 'status') {
    const s = infraStatus();
    if (s.kafka.nodes.length === 1) {
      log(`Kafka     ${s.kafka.pid ? `running (pid ${s.kafka.pid}) on ${s.kafka.brokers}` : 'not running'} — log ${s.kafka.log}`);
    } else {
      const up = s.kafka.nodes.filter((n) => n.pid).length;
      log(
        `Kafka     ${s.kafka.nodes.length}-node cluster, ${up} running; controller quorum leader: ${s.kafka.quorumLeader !== undefined ? `node ${s.kafka.quorumLeader}` : 'unknown'}`,
      );
      for (const n of s.kafka.nodes) {
        log(
          `  node ${n.id}  ${n.pid ? `running (pid ${n.pid})` : 'not running'} on 127.0.0.1:${n.port} (controller :${n.port + 1}) — log ${n.log}`,
        );
      }
    }
    const live = s.kafka.nodes.filter((n) => n.pid);
    if (live.length) {
      try {
        const urp = await underReplicatedPartitions(live.map((n) => `127.0.0.1:${n.port}`));
        log(
          `Kafka     under-replicated partitions: ${urp.length}${
            urp.length
              ? ` (${urp
                  .slice(0, 10)
                  .map((p) => `${p.topic}-${p.partition} isr [${p.isr}] of [${p.replicas}]`)
                  .join(', ')}${urp.length > 10 ? ', …' : ''})`
              : ''
          }`,
        );
      } catch (err) {
        log(`Kafka     under-replicated partitions: unknown (${err instanceof Error ? err.message : String(err)})`);
      }
    }
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
