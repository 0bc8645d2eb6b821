import path from 'node:path';
import { startProcess, waitUntil, type MeasuredProcess } from './support/app-process.js';
import { BenchRun, benchEvents } from './support/bench-run.js';
import { scrapeOutcomes } from './support/projector-run.js';
import { load, machineInfo, recordResult } from './support/report.js';
import { rate } from './support/stats.js';
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
  const counts = (process.env.BENCH_SCALE_INSTANCES ?? '1,2,3').split(',').map(Number);
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
    const base = runs[0]!;
    recordResult(
      {
        bench: 'scale',
        n,
        figures: [
          ['brokers', `${brokers} (topic: ${PARTITIONS} partitions, replication as the apps create it)`],
          ...runs.map((r): [string, string] => [
            `${r.instances} projector${r.instances > 1 ? 's' : ''}`,
            `${rate(r.eventsPerSecond)} (${r.events} events in ${r.seconds.toFixed(1)} s after the group settled; partitions ${r.assigned.map((a) => `[${a.join(',')}]`).join(' ')}; topic loaded in ${r.loadSeconds.toFixed(1)} s beforehand)`,
          ]),
        ],
        ratios: runs
          .slice(1)
          .map((r) => ({ name: `${r.instances} ÷ 1 instance events/s`, value: r.eventsPerSecond / base.eventsPerSecond })),
        rss: Object.fromEntries(runs.map((r) => [`projector (${r.instances} running, max)`, r.peakRss])),
        notes: ['SSE fan-out (1/100/1,000 clients) is not part of bench:scale yet (docs/scaling.md).'],
      },
      machine,
      loadBefore,
    );
  } finally {
    await run.close();
  }
}

async function timeInstances(run: BenchRun, db: import('pg').Client, instances: number, n: number): Promise<ScaleRun> {
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
