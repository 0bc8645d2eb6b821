import path from 'node:path';
import type pg from 'pg';
import { cpuSecondsOf, startApp, startProcess, waitUntil, type MeasuredProcess } from './support/app-process.js';
import { BenchRun, benchEvents } from './support/bench-run.js';
import { scrapeOutcomes } from './support/projector-run.js';
import { load, machineInfo, recordResult } from './support/report.js';
import { ms, percentile, rate } from './support/stats.js';
import { loadTopic } from './support/topic-loader.js';

/** Partitions of the scale topic: 6 share evenly over 1, 2 and 3 instances. */
const PARTITIONS = 6;

interface ScaleRun {
  readonly instances: number;
  readonly seconds: number;
  /** Events applied after the group settled (what the rate is over). */
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly loadSeconds: number;
  readonly peakRss: number;
  readonly assigned: number[][];
}

/**
 * bench:scale — projector throughput with 1, 2 and 3 instances of one consumer group (issue 13).
 * Meant for the 3-node cluster (`TIMELINE_KAFKA_NODES=3 npm run bench:scale`, or after
 * `npm run infra:up -- --brokers 3`); it runs on any broker and records how many it had.
 *
 * Per instance count: a fresh schema and a 6-partition topic (replicated as the apps create it),
 * filled with N envelopes first (not measured); the instances start together, and the clock runs from
 * the moment they share all six partitions (the group settled: join and rebalances not counted) to the
 * moment the stored offsets cover all N; the rate is over the events applied in that window.
 */
export async function scaleBench(): Promise<void> {
  const n = benchEvents(40_000);
  const counts = (process.env.BENCH_SCALE_INSTANCES ?? '1,2,3').split(',').filter(Boolean).map(Number);
  const run = await new BenchRun('scale').start();
  try {
    const db = await run.pgClient();
    const machine = await machineInfo(db);
    const loadBefore = load();
    const admin = await run.admin(run.config(run.env('probe')));
    const brokers = (await admin.describeCluster()).brokers.length;
    const runs: ScaleRun[] = [];
    for (const instances of counts) {
      process.stderr.write(`[bench] ${instances} projector instance(s): ${n} events …\n`);
      runs.push(await timeInstances(run, db, instances, n));
    }
    const fanoutCounts = (process.env.BENCH_SCALE_FANOUT ?? '1,100,1000').split(',').filter(Boolean).map(Number);
    const fanout = fanoutCounts.length ? await timeFanout(run, db, fanoutCounts) : [];
    const base = runs[0]!;
    recordResult(
      {
        bench: 'scale',
        n,
        figures: [
          ['brokers', `${brokers} (topic: ${PARTITIONS} partitions, replication as the apps create it)`],
          ...fanout.map((f): [string, string] => [
            `SSE fan-out, ${f.clients} client${f.clients > 1 ? 's' : ''} (one filter)`,
            `${f.changes} changes each: last client complete ${ms(f.allMs)} after the publish started, per-client completion p50 ${ms(f.p50Ms)} / p99 ${ms(f.p99Ms)}; ${f.reads} reads, ${f.shared} shared; API CPU ${f.apiCpuSeconds.toFixed(1)} s`,
          ]),
          ...runs.map((r): [string, string] => [
            `${r.instances} projector${r.instances > 1 ? 's' : ''}`,
            `${rate(r.eventsPerSecond)} (${r.events} events in ${r.seconds.toFixed(1)} s after the group settled; partitions ${r.assigned.map((a) => `[${a.join(',')}]`).join(' ')}; topic loaded in ${r.loadSeconds.toFixed(1)} s beforehand)`,
          ]),
        ],
        ratios: [
          ...runs.slice(1).map((r) => ({ name: `${r.instances} ÷ 1 instance events/s`, value: r.eventsPerSecond / base.eventsPerSecond })),
          ...fanout
            .slice(1)
            .map((f) => ({ name: `SSE ${f.clients} ÷ 1 client: completion p99`, value: f.p99Ms / Math.max(1, fanout[0]!.p99Ms) })),
        ],
        rss: {
          ...Object.fromEntries(runs.map((r) => [`projector (${r.instances} running, max)`, r.peakRss])),
          ...(fanout.length ? { 'timeline-api (SSE fan-out)': Math.max(...fanout.map((f) => f.apiPeakRss)) } : {}),
        },
      },
      machine,
      loadBefore,
    );
  } finally {
    await run.close();
  }
}

async function timeInstances(run: BenchRun, db: pg.Client, instances: number, n: number): Promise<ScaleRun> {
  const env = run.env(`p${instances}`, { KAFKA_TOPIC_PARTITIONS: String(PARTITIONS), PROJECTOR_SESSION_TIMEOUT_SECONDS: '10' });
  const config = run.config(env);
  const topic = await run.createTopics(config, PARTITIONS);
  await run.migrate(config);
  const schema = env.DATABASE_SCHEMA!;
  // The topic is filled first (setup, not measured: on the 3-node cluster with acks=all the loader is
  // slower than the projectors); the instances then start together.
  const loaded = await loadTopic(run.kafka(config), topic, n);
  const applied = async () =>
    Number(
      (
        (await db.query(`SELECT coalesce(sum(next_offset), 0)::bigint AS n FROM "${schema}".projector_offsets WHERE projection = 'live'`))
          .rows[0] as { n: string }
      ).n,
    );
  const procs: MeasuredProcess[] = await Promise.all(
    Array.from({ length: instances }, (_, i) =>
      startProcess(
        run,
        `projector-${instances}-${i + 1}`,
        path.join('apps', 'projector', 'dist', 'main.js'),
        { ...env, KAFKA_CLIENT_ID: `${env.KAFKA_CLIENT_ID}-${i + 1}` },
        { portVar: 'PROJECTOR_PORT' },
      ),
    ),
  );
  // The clock starts once the group is stable (every instance owns partitions), so the join and the
  // rebalances are not counted; only the events applied from then on are.
  const assigned = await waitUntil(
    `${instances} projector(s) to share ${PARTITIONS} partitions`,
    async () => {
      const owned = await Promise.all(procs.map((p) => assignedPartitions(p.url)));
      const all = owned.flat().sort((a, b) => a - b);
      return owned.every((o) => o.length > 0) && all.length === PARTITIONS && new Set(all).size === PARTITIONS ? owned : undefined;
    },
    90_000,
    100,
  );
  const stableAt = Date.now();
  const atStable = await applied();
  const doneAt = await waitUntil(
    `${instances} projector(s) to apply ${n} events`,
    async () => {
      for (const p of procs) if (p.exited()) throw new Error(`a projector exited; see ${p.logFile}`);
      return (await applied()) >= n ? Date.now() : undefined;
    },
    120_000 + n * 5,
  );
  const seconds = (doneAt - stableAt) / 1000;
  const measured = n - atStable;
  if (measured < n / 2) process.stderr.write(`[bench] note: only ${measured} of ${n} events were applied after the group settled\n`);
  const outcomes = await Promise.all(procs.map((p) => scrapeOutcomes(p.url)));
  const appliedTotal = outcomes.reduce((s, o) => s + (o.applied ?? 0), 0);
  if (appliedTotal < n) process.stderr.write(`[bench] note: ${appliedTotal} applied of ${n} (outcomes: ${JSON.stringify(outcomes)})\n`);
  const peakRss = Math.max(...(await Promise.all(procs.map((p) => p.stop()))));
  return { instances, seconds, events: measured, eventsPerSecond: measured / seconds, loadSeconds: loaded.seconds, peakRss, assigned };
}

async function assignedPartitions(url: string): Promise<number[]> {
  const body = (await (await fetch(`${url}/health`)).json()) as { checks?: { projector?: { assignedPartitions?: number[] } } };
  return body.checks?.projector?.assignedPartitions ?? [];
}

interface FanoutRun {
  readonly clients: number;
  readonly changes: number;
  readonly allMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly reads: number;
  readonly shared: number;
  readonly apiCpuSeconds: number;
  readonly apiPeakRss: number;
}

/** Counts `entry` events on one SSE connection without parsing their data (the bench must not be the bottleneck). */
class CountingStream {
  count = 0;
  doneAt = 0;
  target = Number.POSITIVE_INFINITY;
  readonly ready: Promise<void>;
  private readonly abort = new AbortController();
  private carry = '';

  constructor(url: string) {
    this.ready = (async () => {
      const res = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: this.abort.signal });
      if (res.status !== 200 || !res.body) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const first = await reader.read();
      this.consume(first.value ?? '');
      void (async () => {
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) return;
          this.consume(value ?? '');
        }
      })();
    })();
  }

  private consume(chunk: string): void {
    const text = this.carry + chunk;
    const marker = '\nevent: entry\n';
    let at = text.indexOf(marker);
    let last = -1;
    while (at >= 0) {
      this.count++;
      last = at + marker.length;
      at = text.indexOf(marker, last);
    }
    // Keep a tail that could hold the start of a marker split across chunks (never a counted one).
    this.carry = text.slice(Math.max(last, text.length - marker.length + 1));
    if (this.count >= this.target && !this.doneAt) this.doneAt = Date.now();
  }

  close(): void {
    this.abort.abort();
  }
}

/**
 * SSE fan-out (issue 13): one projector and one timeline API; per client count, that many `/v1/stream`
 * connections with the same filter (none), then 300 new events published at once. Measured: when each
 * client had received every change, the reads the API sent to PostgreSQL vs shared, the API's CPU time.
 */
async function timeFanout(run: BenchRun, db: pg.Client, counts: number[]): Promise<FanoutRun[]> {
  const m = 300;
  const max = Math.max(...counts);
  const env = run.env('fanout', {
    KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    API_STREAM_MAX_PER_CLIENT: String(Math.min(1000, max + 10)),
    API_STREAM_MAX_TOTAL: String(max + 10),
    RATE_LIMIT_STREAMS_PER_MINUTE: '0',
  });
  const config = run.config(env);
  const topic = await run.createTopics(config, PARTITIONS);
  await run.migrate(config);
  const schema = env.DATABASE_SCHEMA!;
  await startApp(run, 'projector', env);
  const api = await startApp(run, 'timeline-api', env);
  const out: FanoutRun[] = [];
  const versions = async () =>
    Number(((await db.query(`SELECT count(*)::bigint AS n FROM "${schema}".entry_versions`)).rows[0] as { n: string }).n);
  for (const clients of counts) {
    process.stderr.write(`[bench] SSE fan-out: ${clients} client(s) …\n`);
    const streams = Array.from({ length: clients }, () => new CountingStream(`${api.url}/v1/stream`));
    await Promise.all(streams.map((s) => s.ready));
    const before = await streamReads(api.url);
    const cpuBefore = cpuSecondsOf(api.child.pid);
    const versionsBefore = await versions();
    const t0 = Date.now();
    await loadTopic(run.kafka(config), topic, m, `fanout-${clients}`);
    // Every published event is one change (a new entry or a correction): wait for the projector, then the clients.
    const target = await waitUntil(
      'the projector to apply the fan-out events',
      async () => {
        const v = (await versions()) - versionsBefore;
        return v >= m ? v : undefined;
      },
      120_000,
      50,
    );
    for (const s of streams) {
      s.target = target;
      if (s.count >= target && !s.doneAt) s.doneAt = Date.now();
    }
    await waitUntil(
      `${clients} clients to receive ${target} changes`,
      async () => (streams.every((s) => s.doneAt) ? true : undefined),
      120_000,
      50,
    );
    const after = await streamReads(api.url);
    const done = streams.map((s) => s.doneAt - t0);
    out.push({
      clients,
      changes: target,
      allMs: Math.max(...done),
      p50Ms: percentile(done, 50),
      p99Ms: percentile(done, 99),
      reads: after.read - before.read,
      shared: after.shared - before.shared,
      apiCpuSeconds: cpuSecondsOf(api.child.pid) - cpuBefore,
      apiPeakRss: api.peakRss(),
    });
    const over = streams.filter((s) => s.count > target).length;
    if (over) process.stderr.write(`[bench] note: ${over} client(s) received more than ${target} changes\n`);
    for (const s of streams) s.close();
    await new Promise((r) => setTimeout(r, 500));
  }
  return out;
}

async function streamReads(url: string): Promise<{ read: number; shared: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const get = (outcome: string) =>
    Number(new RegExp(`timeline_api_stream_reads_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { read: get('query'), shared: get('shared') };
}
