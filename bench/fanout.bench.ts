import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { cpuSecondsOf, rssOf, sleep, startApp } from './support/app-process.js';
import { BenchRun } from './support/bench-run.js';
import { postJson } from './support/http-client.js';
import { EnvelopeGenerator, ingestInput } from './support/envelope-generator.js';
import { load, machineInfo, recordResult } from './support/report.js';
import { mib, ms, summarize } from './support/stats.js';

/** Stream clients per level (`BENCH_FANOUT_LEVELS=1,100,1000`). */
const LEVELS = (process.env.BENCH_FANOUT_LEVELS ?? '1,100,1000').split(',').map(Number);
/** Events published per level, one every {@link GAP_MS}. */
const EVENTS = 20;
const GAP_MS = 250;
/** Entries on the timeline before the clients connect (so a page read is a real query). */
const SEED = 2000;

/**
 * bench:fanout — SSE fan-out on one timeline-API process (issue 13 item 5): for 1, 100 and 1,000
 * concurrent `/v1/stream` clients (loopback, each a real HTTP connection), 20 events are POSTed to
 * ingest one every 250 ms; per level it reports freshness (POST → entry on a stream, over every
 * stream × event) p50/p99, the time until *every* stream has an event, the API's RSS and CPU, and
 * `/v1/timeline?limit=50` p95 measured by a reader polling meanwhile — against the same reader with
 * no stream open ("idle"). Bar: ordinary reads' p95 within 2× of idle at 1,000 streams.
 */
export async function fanoutBench(): Promise<void> {
  const run = await new BenchRun('fanout').start();
  try {
    const db = await run.pgClient();
    const machine = await machineInfo(db);
    const loadBefore = load();
    const key = randomBytes(24).toString('base64url');
    const max = Math.max(...LEVELS);
    const env = run.env('live', {
      API_KEYS: `bench:editor:${createHash('sha256').update(key).digest('hex')}`,
      API_STREAM_MAX_PER_CLIENT: String(Math.max(5, max)),
      API_STREAM_MAX_TOTAL: String(Math.max(2000, max)),
      RATE_LIMIT_STREAMS_PER_MINUTE: '0',
      RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '0',
    });
    const config = run.config(env);
    await run.createTopics(config);
    await run.migrate(config);
    const projector = await startApp(run, 'projector', env);
    const api = await startApp(run, 'timeline-api', env);
    const ingest = await startApp(run, 'ingest', env);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const gen = new EnvelopeGenerator({ seed: 'bench-fanout', metaEvents: false });

    process.stderr.write(`[bench] seeding ${SEED} entries …\n`);
    for (let i = 0; i < SEED; i += 500) {
      const batch = Array.from({ length: Math.min(500, SEED - i) }, () => ingestInput(gen.next()));
      const status = await postJson(agent, new URL(`${ingest.url}/v1/events/batch`), key, JSON.stringify({ events: batch }));
      if (status !== 202) throw new Error(`seeding: ingest answered ${status}`);
    }
    await waitForEntries(api.url, SEED);

    const idle = await readerP95(api.url, EVENTS * GAP_MS);
    const rows: LevelResult[] = [];
    for (const n of LEVELS) {
      process.stderr.write(`[bench] ${n} stream client(s): ${EVENTS} events, one every ${GAP_MS} ms …\n`);
      const streams = await openStreams(`${api.url}/v1/stream`, n);
      const cpu0 = cpuSecondsOf(api.child.pid);
      const sent = new Map<string, number>();
      const reader = readerP95(api.url, EVENTS * GAP_MS + 1000);
      for (let i = 0; i < EVENTS; i++) {
        const e = ingestInput(gen.next());
        sent.set(e.eventId as string, performance.now());
        const status = await postJson(agent, new URL(`${ingest.url}/v1/events`), key, JSON.stringify(e));
        if (status !== 202) throw new Error(`ingest answered ${status}`);
        await sleep(GAP_MS);
      }
      const deadline = Date.now() + 60_000;
      while (streams.some((s) => [...sent.keys()].some((id) => !s.arrivals.has(id))) && Date.now() < deadline) await sleep(50);
      const timeline = await reader;
      const cpu = cpuSecondsOf(api.child.pid) - cpu0;
      const rss = rssOf(api.child.pid);
      const latencies: number[] = [];
      const everyStream: number[] = [];
      let missing = 0;
      for (const [id, t] of sent) {
        let last = 0;
        for (const s of streams) {
          const at = s.arrivals.get(id);
          if (at === undefined) {
            missing++;
            continue;
          }
          latencies.push(at - t);
          last = Math.max(last, at - t);
        }
        everyStream.push(last);
      }
      for (const s of streams) s.close();
      const f = summarize(latencies);
      rows.push({ n, p50: f.p50, p99: f.p99, every: summarize(everyStream).p50, timelineP95: timeline, rss, cpu, missing });
      if (missing > 0) throw new Error(`${missing} (stream, event) deliveries never arrived with ${n} streams`);
      await sleep(1000);
    }
    agent.destroy();
    const peak = { projector: await projector.stop(), 'timeline-api': await api.stop(), ingest: await ingest.stop() };

    const top = rows.at(-1)!;
    const first = rows[0]!;
    const readRatio = top.timelineP95 / idle;
    recordResult(
      {
        bench: 'fanout',
        n: top.n,
        figures: [
          ['/v1/timeline?limit=50 p95, no stream open', ms(idle)],
          ...rows.map(
            (r) =>
              [
                `${r.n} streams: freshness p50 / p99; all streams (p50)`,
                `${ms(r.p50)} / ${ms(r.p99)}; ${ms(r.every)} — /v1/timeline p95 ${ms(r.timelineP95)}, API RSS ${mib(r.rss)}, API CPU ${r.cpu.toFixed(2)} s`,
              ] as [string, string],
          ),
        ],
        ratios: [
          { name: `/v1/timeline p95 at ${top.n} streams ÷ idle`, value: readRatio, bar: '≤ 2', met: readRatio <= 2 },
          { name: `freshness p99 at ${top.n} ÷ at ${first.n} stream(s)`, value: top.p99 / first.p99 },
        ],
        rss: peak,
        notes: [`${EVENTS} events per level, one every ${GAP_MS} ms; ${SEED} entries seeded; all clients on loopback in the bench process`],
      },
      machine,
      loadBefore,
    );
  } finally {
    await run.close();
  }
}

interface LevelResult {
  n: number;
  p50: number;
  p99: number;
  every: number;
  timelineP95: number;
  rss: number;
  cpu: number;
  missing: number;
}

interface FanoutStream {
  readonly arrivals: Map<string, number>;
  close(): void;
}

/** `n` SSE clients on node:http (lighter than fetch per connection), each ready when it returns. */
async function openStreams(url: string, n: number): Promise<FanoutStream[]> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const open = (): Promise<FanoutStream> =>
    new Promise((resolve, reject) => {
      const arrivals = new Map<string, number>();
      const req = http.get(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`/v1/stream answered ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        let buf = '';
        let ready = false;
        const stream: FanoutStream = { arrivals, close: () => req.destroy() };
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buf += chunk;
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, end);
            buf = buf.slice(end + 2);
            if (!ready && frame.includes('event: ready')) {
              ready = true;
              resolve(stream);
            }
            const i = frame.indexOf('"entry":{"id":"');
            if (i >= 0 && frame.includes('event: entry')) arrivals.set(frame.slice(i + 15, i + 51), at);
          }
        });
        res.on('error', () => undefined);
      });
      req.on('error', (err) => (arrivals.size === 0 ? reject(err) : undefined));
    });
  const streams: FanoutStream[] = [];
  for (let i = 0; i < n; i += 50) streams.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, open))));
  return streams;
}

/** p95 of `/v1/timeline?limit=50` read back to back (one at a time) for `durationMs`. */
async function readerP95(base: string, durationMs: number): Promise<number> {
  const samples: number[] = [];
  const until = performance.now() + durationMs;
  while (performance.now() < until) {
    const t = performance.now();
    const res = await fetch(`${base}/v1/timeline?limit=50`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`/v1/timeline answered ${res.status}`);
    samples.push(performance.now() - t);
    await sleep(20);
  }
  return summarize(samples).p95;
}

async function waitForEntries(base: string, n: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const stats = (await (await fetch(`${base}/v1/stats`)).json()) as { total?: number };
    if ((stats.total ?? 0) >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${stats.total ?? 0} of ${n} seeded entries reached the timeline`);
    await sleep(200);
  }
}
