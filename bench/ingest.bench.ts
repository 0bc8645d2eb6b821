import { eventMessage } from '@timeline/kafka';
import { createHash, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import type { Kafka, ProducerConfig } from 'kafkajs';
import { cpuSecondsOf, startApp } from './support/app-process.js';
import { BenchRun, benchEvents } from './support/bench-run.js';
import { EnvelopeGenerator, ingestInput, type BenchEnvelope } from './support/envelope-generator.js';
import { load, machineInfo, recordResult } from './support/report.js';
import { ms, rate } from './support/stats.js';
import { topicSize } from './support/topic-loader.js';

const BATCH = 100;
const CONCURRENCY = 8;

/**
 * bench:ingest — ingest overhead. The same N seeded events, in batches of 100, with 8 requests in
 * flight: once through the ingest API (real process; HTTP POST /v1/events/batch with an editor key,
 * catalogue validation, idempotent producer, acks=-1) driven by autocannon, once with a raw kafkajs
 * producer (acks=-1) sending the same batches with the same concurrency. A third run uses a raw
 * producer configured like the ingest's (idempotent, one request in flight) to show how much of
 * the gap is that durability setting rather than HTTP and validation.
 */
export async function ingestBench(): Promise<void> {
  const n = Math.ceil(benchEvents(20_000) / BATCH) * BATCH;
  const run = await new BenchRun('ingest').start();
  try {
    const db = await run.pgClient();
    const machine = await machineInfo(db);
    const loadBefore = load();
    const key = randomBytes(24).toString('base64url');
    const env = run.env('ingest', { API_KEYS: `bench:editor:${createHash('sha256').update(key).digest('hex')}` });
    const config = run.config(env);
    const topic = await run.createTopics(config);
    const rawTopic = await run.createTopics(run.config(run.env('raw')));
    const idemTopic = await run.createTopics(run.config(run.env('idem')));

    const gen = new EnvelopeGenerator({ seed: 'bench-ingest', metaEvents: false });
    const batches = Array.from({ length: n / BATCH }, () => gen.take(BATCH));
    const bodies = batches.map((b) => JSON.stringify({ events: b.map(ingestInput) }));

    const ingest = await startApp(run, 'ingest', env);
    // Warm-up (JIT, connections, producer metadata): a few batches that are not measured.
    const warm = new EnvelopeGenerator({ seed: 'bench-ingest-warmup', metaEvents: false });
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${ingest.url}/v1/events/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ events: warm.take(BATCH).map(ingestInput) }),
      });
      if (r.status !== 202) throw new Error(`warm-up batch answered ${r.status}: ${await r.text()}`);
    }

    process.stderr.write(`[bench] ingest API: ${n} events …\n`);
    let next = 0;
    const cpu0 = cpuSecondsOf(ingest.child.pid);
    const t0 = performance.now();
    const result = await autocannon({
      url: `${ingest.url}/v1/events/batch`,
      method: 'POST',
      connections: CONCURRENCY,
      amount: bodies.length,
      timeout: 60,
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
    });
    const apiSeconds = (performance.now() - t0) / 1000;
    const ingestCpuUs = ((cpuSecondsOf(ingest.child.pid) - cpu0) / n) * 1e6;
    const ingestRss = await ingest.stop();
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`ingest answered ${result.non2xx} non-2xx and ${result.errors} errors; see ${ingest.logFile}`);
    }
    const onTopic = (await topicSize(run.kafka(config), topic)) - 5 * BATCH;
    if (onTopic !== n) throw new Error(`the ingest topic holds ${onTopic} events, expected ${n}`);
    const apiRate = n / apiSeconds;

    // The same batches as Kafka messages (eventId and recordedAt already set, as ingest would).
    const prepared = batches.map((b) => b.map((e) => ({ ...e, recordedAt: new Date().toISOString() })));
    process.stderr.write('[bench] raw kafkajs producer …\n');
    const raw = await timeProducer(run.kafka(config, `${run.id}-raw`), rawTopic, prepared, {});
    process.stderr.write('[bench] raw kafkajs producer, idempotent + 1 in flight (the ingest settings) …\n');
    const idem = await timeProducer(run.kafka(config, `${run.id}-idem`), idemTopic, prepared, { idempotent: true, maxInFlightRequests: 1 });

    const overhead = apiRate / raw.eventsPerSecond;
    recordResult(
      {
        bench: 'ingest',
        n,
        figures: [
          ['ingest API (HTTP batches of 100, 8 in flight)', `${rate(apiRate)} (${apiSeconds.toFixed(1)} s)`],
          ['ingest request latency p50 / p99', `${ms(result.latency.p50)} / ${ms(result.latency.p99)}`],
          ['raw kafkajs producer (acks=-1, same batches)', `${rate(raw.eventsPerSecond)} (${raw.seconds.toFixed(1)} s)`],
          ['raw producer, idempotent + 1 in flight', `${rate(idem.eventsPerSecond)} (${idem.seconds.toFixed(1)} s)`],
          ['CPU per event: ingest process / raw producer', `${ingestCpuUs.toFixed(0)} µs / ${raw.cpuUs.toFixed(0)} µs`],
        ],
        ratios: [
          { name: 'ingest overhead (API ÷ raw producer)', value: overhead, bar: '≥ 0.6 (goal 0.8)', met: overhead >= 0.6 },
          { name: 'API ÷ raw producer with the ingest settings', value: apiRate / idem.eventsPerSecond },
        ],
        rss: { ingest: ingestRss },
      },
      machine,
      loadBefore,
    );
  } finally {
    await run.close();
  }
}

/** Sends the batches with `CONCURRENCY` sends in flight (one shared producer, like the ingest process). */
async function timeProducer(
  kafka: Kafka,
  topic: string,
  batches: BenchEnvelope[][],
  cfg: ProducerConfig,
): Promise<{ seconds: number; eventsPerSecond: number; cpuUs: number }> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, ...cfg });
  await producer.connect();
  await producer.send({ topic, messages: batches[0]!.slice(0, 1).map((e) => eventMessage(e)), acks: -1 }); // metadata + connection warm-up
  let next = 0;
  let events = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < batches.length; i = next++) {
        // Serialising is part of sending (the ingest serialises too).
        await producer.send({ topic, messages: batches[i]!.map((e) => eventMessage(e)), acks: -1 });
        events += batches[i]!.length;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await producer.disconnect();
  return { seconds, eventsPerSecond: events / seconds, cpuUs: (cpu.user + cpu.system) / events };
}
