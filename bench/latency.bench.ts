import { eventMessage } from '@timeline/kafka';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Kafka } from 'kafkajs';
import { sleep, startApp } from './support/app-process.js';
import { BenchRun, benchEvents } from './support/bench-run.js';
import { postJson } from './support/http-client.js';
import { EnvelopeGenerator, ingestInput } from './support/envelope-generator.js';
import { load, machineInfo, recordResult } from './support/report.js';
import { ms, summarize, type LatencySummary } from './support/stats.js';

const RATE = 500;
const WARMUP_MS = 5000;

/**
 * bench:latency — freshness under a steady 500 events/s. Each event is POSTed alone to the ingest
 * API (real process) and the clock stops when the entry arrives on the timeline API's SSE
 * `/v1/stream` (projector and API are real processes too). The baseline is raw kafkajs on the same
 * broker at the same rate: produce one message (acks=-1) → a consumer in the same process receives
 * it. Open-loop senders (a slow answer never slows the offered rate); the first 5 s are warm-up.
 */
export async function latencyBench(): Promise<void> {
  const events = Math.min(60_000, Math.max(10_000, benchEvents(10_000)));
  const run = await new BenchRun('latency').start();
  try {
    const db = await run.pgClient();
    const machine = await machineInfo(db);
    const loadBefore = load();
    const key = randomBytes(24).toString('base64url');
    const env = run.env('live', { API_KEYS: `bench:editor:${createHash('sha256').update(key).digest('hex')}` });
    const config = run.config(env);
    await run.createTopics(config);
    await run.migrate(config);
    const projector = await startApp(run, 'projector', env);
    const api = await startApp(run, 'timeline-api', env);
    const ingest = await startApp(run, 'ingest', env);

    process.stderr.write(`[bench] HTTP → Kafka → projector → SSE at ${RATE}/s for ${events / RATE} s …\n`);
    let retries = 0;
    const stream = await openStream(`${api.url}/v1/stream`);
    const gen = new EnvelopeGenerator({ seed: 'bench-latency', metaEvents: false });
    // node:http with a keep-alive pool: far less client CPU per request than fetch, which matters
    // when the load generator shares 2 cores with five processes under test.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
    const target = new URL(`${ingest.url}/v1/events`);
    const post = async (event: Record<string, unknown>) => {
      // A POST with its eventId is idempotent by design, so a request lost to a keep-alive race
      // (the server closing an idle socket as it is reused) is retried like any client would; its
      // latency counts from the first try.
      for (let attempt = 0; ; attempt++) {
        try {
          const status = await postJson(agent, target, key, JSON.stringify(event));
          if (status !== 202) throw new Error(`ingest answered ${status}`);
          return;
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (attempt >= 4 || !(code === 'ECONNRESET' || code === 'EPIPE')) throw err;
          retries++;
        }
      }
    };
    // Make sure the whole path is up (partitions assigned, LISTEN active) before the clock runs.
    const probe = gen.next();
    const probeAt = performance.now();
    await post(ingestInput(probe));
    await stream.waitFor(probe.eventId, 60_000);
    process.stderr.write(`[bench] first event visible after ${ms(performance.now() - probeAt)} (cold path)\n`);

    const sent = new Map<string, number>();
    const ackMs: number[] = [];
    stream.onEntry = (id, at) => {
      const t = sent.get(id);
      if (t !== undefined) stream.latencies.set(id, at - t);
    };
    await openLoop(events, (i) => {
      const e = gen.next();
      const t = performance.now();
      if (i * (1000 / RATE) >= WARMUP_MS) sent.set(e.eventId, t);
      return post(ingestInput(e)).then(() => {
        if (sent.has(e.eventId)) ackMs.push(performance.now() - t);
      });
    });
    const deadline = Date.now() + 60_000;
    while (stream.latencies.size < sent.size && Date.now() < deadline) await sleep(100);
    const missing = sent.size - stream.latencies.size;
    stream.close();
    agent.destroy();
    const pipeline = summarize([...stream.latencies.values()]);
    // Where in the run the slow ones were (steady state vs a stall), per 2 s of send time.
    const t0 = Math.min(...sent.values());
    const windows = new Map<number, number[]>();
    for (const [id, lat] of stream.latencies) {
      const w = Math.floor((sent.get(id)! - t0) / 2000);
      windows.set(w, [...(windows.get(w) ?? []), lat]);
    }
    const timeline = [...windows]
      .sort((a, b) => a[0] - b[0])
      .map(([w, l]) => `${w * 2}s:${ms(summarize(l).p99)}`)
      .join(' ');
    const ack = summarize(ackMs);
    const rss = { projector: await projector.stop(), 'timeline-api': await api.stop(), ingest: await ingest.stop() };

    process.stderr.write(`[bench] raw kafkajs produce → consume at ${RATE}/s …\n`);
    const rawTopic = await run.createTopic(config, `${run.id}.raw`, config.kafka.partitions);
    const raw = await rawProduceConsume(run.kafka(config, `${run.id}-raw`), rawTopic, `${run.id}-raw`, events);

    const p99Ratio = pipeline.p99 / raw.p99;
    recordResult(
      {
        bench: 'latency',
        n: events,
        figures: [
          ['POST → SSE entry p50 / p99 / max', `${ms(pipeline.p50)} / ${ms(pipeline.p99)} / ${ms(pipeline.max)}`],
          ['POST → 202 (Kafka ack) p50 / p99', `${ms(ack.p50)} / ${ms(ack.p99)}`],
          ['raw kafkajs produce → consume p50 / p99 / max', `${ms(raw.p50)} / ${ms(raw.p99)} / ${ms(raw.max)}`],
          ['measured events (after warm-up); missing; POST retries', `${pipeline.n}; ${missing}; ${retries}`],
        ],
        ratios: [
          { name: 'freshness p50 (pipeline ÷ raw Kafka)', value: pipeline.p50 / raw.p50 },
          { name: 'freshness p99 (pipeline ÷ raw Kafka)', value: p99Ratio, bar: '≤ 5 (goal ≤ 2)', met: p99Ratio <= 5 },
          { name: 'absolute p99 ÷ 250 ms', value: pipeline.p99 / 250, bar: '≤ 1', met: pipeline.p99 <= 250 },
        ],
        rss,
        notes: [`pipeline p99 per 2 s of the run: ${timeline}`],
      },
      machine,
      loadBefore,
    );
    if (missing > 0) throw new Error(`${missing} events never arrived on the stream`);
  } finally {
    await run.close();
  }
}

/** Calls `send(i)` for i = 0…n-1 at `RATE` per second on the wall clock, never waiting for answers. */
async function openLoop(n: number, send: (i: number) => Promise<void>): Promise<void> {
  const start = performance.now();
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  for (let i = 0; i < n;) {
    const due = Math.min(n, Math.floor(((performance.now() - start) / 1000) * RATE) + 1);
    for (; i < due; i++) {
      const p = send(i)
        .catch((err: unknown) => void (failure ??= err instanceof Error && err.cause ? err.cause : err))
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    if (failure) throw failure;
    await sleep(2);
  }
  await Promise.all(pending);
  if (failure) throw failure;
}

interface StreamClient {
  latencies: Map<string, number>;
  onEntry: (id: string, at: number) => void;
  waitFor(id: string, timeoutMs: number): Promise<void>;
  close(): void;
}

/** A minimal SSE reader: records the arrival time of every `entry` event by entry id. */
async function openStream(url: string): Promise<StreamClient> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: ac.signal });
  if (res.status !== 200 || !res.body) throw new Error(`/v1/stream answered ${res.status}`);
  const seen = new Set<string>();
  const client: StreamClient = {
    latencies: new Map(),
    onEntry: () => undefined,
    waitFor: async (id, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!seen.has(id)) {
        if (Date.now() > deadline) throw new Error(`entry ${id} never arrived on the stream`);
        await sleep(20);
      }
    },
    close: () => ac.abort(),
  };
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const at = performance.now();
        buf += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (!frame.includes('event: entry')) continue;
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const id = (JSON.parse(data.slice(6)) as { entry: { id: string } }).entry.id;
          seen.add(id);
          client.onEntry(id, at);
        }
      }
    } catch {
      // aborted at the end of the run
    }
  })();
  return client;
}

/** Raw kafkajs: one message per send (acks=-1) at RATE/s, received by a consumer in this process. */
async function rawProduceConsume(kafka: Kafka, topic: string, groupId: string, n: number): Promise<LatencySummary> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = performance.now();
      received++;
      const t = sent.get(message.key?.toString() ?? '');
      if (t !== undefined) latencies.push(at - t);
    },
  });
  await joined;
  await producer.send({ topic, messages: [{ key: 'warm-up', value: 'x' }], acks: -1 });
  while (received < 1) await sleep(20);
  const gen = new EnvelopeGenerator({ seed: 'bench-latency', metaEvents: false });
  await openLoop(n, async (i) => {
    const m = eventMessage(gen.next());
    const id = `m${i}`;
    if (i * (1000 / RATE) >= WARMUP_MS) sent.set(id, performance.now());
    await producer.send({ topic, messages: [{ ...m, key: id }], acks: -1 });
  });
  const deadline = Date.now() + 30_000;
  while (latencies.length < sent.size && Date.now() < deadline) await sleep(50);
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
  return summarize(latencies);
}

/** One POST on the keep-alive pool; resolves with the status once the body was read. */
