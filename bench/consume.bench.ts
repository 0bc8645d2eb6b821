import type { Kafka } from 'kafkajs';
import { eventCatalogue } from '@timeline/events';
import { BenchRun, benchEvents } from './support/bench-run.js';
import { timeProjector } from './support/projector-run.js';
import { load, machineInfo, recordResult } from './support/report.js';
import { rate } from './support/stats.js';
import { loadTopic } from './support/topic-loader.js';

/**
 * bench:consume — consumer headroom. The same pre-filled topic is read from offset 0 by:
 * a raw kafkajs `eachBatch` consumer that does nothing, the same consumer also parsing and
 * validating every message with the catalogue (what the projector does before Postgres), and the
 * projector itself (real process, real read model). Same fetch size and partition concurrency as
 * the projector's, so the ratios split the projector's time into Kafka, decoding and Postgres.
 */
export async function consumeBench(): Promise<void> {
  // 50,000 by default: a projector run of 20,000 events lasts ~7 s and swings ±25% with the load.
  const n = benchEvents(50_000);
  const run = await new BenchRun('consume').start();
  try {
    const db = await run.pgClient();
    const machine = await machineInfo(db);
    const loadBefore = load();
    const env = run.env('proj');
    const config = run.config(env);
    const topic = await run.createTopics(config);
    await loadTopic(run.kafka(config), topic, n);
    const concurrency = Math.max(1, Math.min(4, config.database.poolSize - 2));
    const kafka = run.kafka(config, `${run.id}-raw`);

    process.stderr.write('[bench] raw kafkajs eachBatch consumer …\n');
    const raw = await timeConsumer(kafka, topic, `${run.id}-raw`, n, config.projector.maxBytesPerPartition, concurrency, false);
    process.stderr.write('[bench] raw consumer + JSON.parse + catalogue decode …\n');
    const decode = await timeConsumer(kafka, topic, `${run.id}-decode`, n, config.projector.maxBytesPerPartition, concurrency, true);
    process.stderr.write(`[bench] projector: ${n} events …\n`);
    await run.migrate(config);
    const projector = await timeProjector(run, db, env, n);

    const headroom = projector.eventsPerSecond / raw.eventsPerSecond;
    recordResult(
      {
        bench: 'consume',
        n,
        figures: [
          ['raw kafkajs eachBatch (no work)', `${rate(raw.eventsPerSecond)} (${raw.seconds.toFixed(2)} s)`],
          ['raw + JSON.parse + eventCatalogue.decode', `${rate(decode.eventsPerSecond)} (${decode.seconds.toFixed(2)} s)`],
          ['projector (Kafka → Postgres)', `${rate(projector.eventsPerSecond)} (${projector.seconds.toFixed(1)} s)`],
        ],
        ratios: [
          { name: 'consumer headroom (projector ÷ raw consumer)', value: headroom },
          { name: 'decode share (decode consumer ÷ raw consumer)', value: decode.eventsPerSecond / raw.eventsPerSecond },
        ],
        rss: { projector: projector.peakRss },
        notes: [`projector message outcomes: ${JSON.stringify(projector.outcomes)}`],
      },
      machine,
      loadBefore,
    );
  } finally {
    await run.close();
  }
}

/** Reads the whole topic from offset 0 in a new group; clock from the first batch to the n-th message. */
async function timeConsumer(
  kafka: Kafka,
  topic: string,
  groupId: string,
  n: number,
  maxBytesPerPartition: number,
  partitionsConsumedConcurrently: number,
  decode: boolean,
): Promise<{ seconds: number; eventsPerSecond: number }> {
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let t0 = 0;
  let invalid = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently,
      eachBatch: async ({ batch }) => {
        if (t0 === 0) t0 = performance.now();
        if (decode) {
          for (const m of batch.messages) {
            const d = eventCatalogue.decode(JSON.parse(m.value?.toString('utf8') ?? 'null'));
            if (!d.ok) invalid++;
          }
        }
        seen += batch.messages.length;
        if (seen >= n) resolve(performance.now());
      },
    });
  });
  const t1 = await done;
  await consumer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
  if (invalid > 0) throw new Error(`${invalid} generated envelopes failed decoding`);
  const seconds = (t1 - t0) / 1000;
  return { seconds, eventsPerSecond: n / seconds };
}
