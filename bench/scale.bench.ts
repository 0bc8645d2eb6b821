import path from 'node:path';
import { sleep, startProcess, waitUntil, type MeasuredProcess } from './support/app-process.js';
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
 * Per instance count: a fresh schema and a 6-partition topic (replicated as the apps create it);
 * the instances start on the empty topic and the bench waits until they share all six partitions (so
 * no rebalance happens while measuring); then N envelopes are produced as fast as the broker takes
 * them and the clock runs from the first batch transaction (`min(event_log.appended_at)`) to the moment
 * the stored offsets cover all N. The loader runs while the projectors work (it is ~10× faster than one
 * projector here, and its time is reported).
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
            `${rate(r.eventsPerSecond)} (${r.seconds.toFixed(1)} s; partitions ${r.assigned.map((a) => `[${a.join(',')}]`).join(' ')}; topic loaded in ${r.loadSeconds.toFixed(1)} s)`,
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
  const procs: MeasuredProcess[] = [];
  for (let i = 1; i <= instances; i++) {
    procs.push(
      await startProcess(
        run,
        `projector-${instances}-${i}`,
        path.join('apps', 'projector', 'dist', 'main.js'),
        {
          ...env,
          KAFKA_CLIENT_ID: `${env.KAFKA_CLIENT_ID}-${i}`,
        },
        { portVar: 'PROJECTOR_PORT' },
      ),
    );
  }
  const assigned = await waitUntil(
    `${instances} projector(s) to share ${PARTITIONS} partitions`,
    async () => {
      const owned = await Promise.all(procs.map((p) => assignedPartitions(p.url)));
      const all = owned.flat().sort((a, b) => a - b);
      return owned.every((o) => o.length > 0) && all.length === PARTITIONS && new Set(all).size === PARTITIONS ? owned : undefined;
    },
    90_000,
    250,
  );
  // The group is stable; give the consumers a moment to start fetching before the burst.
  await sleep(1000);
  const loaded = await loadTopic(run.kafka(config), topic, n);
  const doneAt = await waitUntil(
    `${instances} projector(s) to apply ${n} events`,
    async () => {
      for (const p of procs) if (p.exited()) throw new Error(`a projector exited; see ${p.logFile}`);
      const r = await db.query(
        `SELECT coalesce(sum(next_offset), 0)::bigint AS n FROM "${schema}".projector_offsets WHERE projection = 'live'`,
      );
      return Number((r.rows[0] as { n: string }).n) >= n ? Date.now() : undefined;
    },
    120_000 + n * 5,
  );
  const first = await db.query(`SELECT extract(epoch FROM min(appended_at)) * 1000 AS t0 FROM "${schema}".event_log`);
  const seconds = (doneAt - Number((first.rows[0] as { t0: string }).t0)) / 1000;
  const outcomes = await Promise.all(procs.map((p) => scrapeOutcomes(p.url)));
  const applied = outcomes.reduce((s, o) => s + (o.applied ?? 0), 0);
  if (applied < n) process.stderr.write(`[bench] note: ${applied} applied of ${n} (the rest: ${JSON.stringify(outcomes)})\n`);
  const peakRss = Math.max(...(await Promise.all(procs.map((p) => p.stop()))));
  return { instances, seconds, eventsPerSecond: n / seconds, loadSeconds: loaded.seconds, peakRss, assigned };
}

async function assignedPartitions(url: string): Promise<number[]> {
  const body = (await (await fetch(`${url}/health`)).json()) as { checks?: { projector?: { assignedPartitions?: number[] } } };
  return body.checks?.projector?.assignedPartitions ?? [];
}
