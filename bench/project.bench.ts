import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { sleep, startProcess } from './support/app-process.js';
import { BenchRun, benchEvents } from './support/bench-run.js';
import { timeProjector } from './support/projector-run.js';
import { load, machineInfo, recordResult } from './support/report.js';
import { mib, rate } from './support/stats.js';
import { loadTopic } from './support/topic-loader.js';

/** Tables the projector writes per event, in the order COPY loads them. */
const TABLES = ['event_log', 'timeline_entries', 'entry_versions'] as const;

/**
 * bench:project — rebuild efficiency and the naive peer.
 * 1. N seeded envelopes into a private topic; the projector (real process) projects them from
 *    offset 0 into a migrated schema with every index.
 * 2. The raw limit: the very rows the projector wrote, COPY'd FROM STDIN (pg-copy-streams) into a
 *    second, identical schema (same partitions and indexes). Efficiency = projector ÷ COPY.
 * 3. The naive peer (bench/naive-peer: NestJS @EventPattern, one TypeORM save() per event) consumes
 *    the same topic into a third schema. Peer ratio = projector ÷ naive.
 */
export async function projectBench(): Promise<void> {
  // 50,000 by default: a projector run of 20,000 events lasts ~7 s and swings ±25% with the load.
  const n = benchEvents(50_000);
  const run = await new BenchRun('project').start();
  try {
    const db = await run.pgClient();
    const machine = await machineInfo(db);
    const loadBefore = load();
    const envP = run.env('proj', process.env.BENCH_POOL ? { DATABASE_POOL_SIZE: process.env.BENCH_POOL } : {});
    const config = run.config(envP);
    const topic = await run.createTopics(config);
    const loaded = await loadTopic(run.kafka(config), topic, n);
    await run.migrate(config);

    // 1. The projector.
    process.stderr.write(`[bench] projector: ${n} events …\n`);
    const projector = await timeProjector(run, db, envP, n);
    const counts = await rowCounts(db, envP.DATABASE_SCHEMA!);

    // 2. Raw COPY of the same rows into the same tables and indexes.
    process.stderr.write('[bench] COPY baseline …\n');
    const envC = run.env('copy', { KAFKA_TOPIC_EVENTS: topic });
    await run.migrate(run.config(envC));
    const copy = await copyBaseline(run, db, envP.DATABASE_SCHEMA!, envC.DATABASE_SCHEMA!);

    // 3. The naive peer, on the same topic (own group), into its own schema; time-boxed.
    const naiveTarget = Math.min(n, Number(process.env.BENCH_NAIVE_EVENTS ?? 4000));
    process.stderr.write(`[bench] naive NestJS peer: ${naiveTarget} events …\n`);
    const envN = run.env('naive', { KAFKA_TOPIC_EVENTS: topic });
    await run.migrate(run.config(envN));
    const naive = await timeNaivePeer(run, db, envN, naiveTarget);

    const efficiency = projector.eventsPerSecond / copy.eventsPerSecond;
    const peer = projector.eventsPerSecond / naive.eventsPerSecond;
    recordResult(
      {
        bench: 'project',
        n,
        figures: [
          ['projector', `${rate(projector.eventsPerSecond)} (${projector.seconds.toFixed(1)} s)`],
          ['raw COPY (same rows, same indexes)', `${rate(copy.eventsPerSecond)} events (${copy.seconds.toFixed(1)} s)`],
          ['naive NestJS peer', `${rate(naive.eventsPerSecond)} (${naive.events} events in ${naive.seconds.toFixed(1)} s)`],
          [
            'rows written',
            `event_log ${counts.event_log}, timeline_entries ${counts.timeline_entries}, entry_versions ${counts.entry_versions}`,
          ],
          ['topic', `${(loaded.bytes / loaded.events).toFixed(0)} B/event avg, ${mib(loaded.bytes)}`],
        ],
        ratios: [
          { name: 'rebuild efficiency (projector ÷ COPY)', value: efficiency, bar: '≥ 0.5 (goal 0.7)', met: efficiency >= 0.5 },
          { name: 'peer ratio (projector ÷ naive)', value: peer, bar: '≥ 10×', met: peer >= 10 },
        ],
        rss: { projector: projector.peakRss, 'naive peer': naive.peakRss },
        notes: [
          `projector message outcomes: ${JSON.stringify(projector.outcomes)}`,
          `COPY per table: ${copy.perTable.map((t) => `${t.table} ${t.rows} rows ${t.seconds.toFixed(2)} s`).join(', ')}`,
        ],
      },
      machine,
      loadBefore,
    );
  } finally {
    await run.close();
  }
}

async function rowCounts(db: pg.Client, schema: string): Promise<Record<(typeof TABLES)[number], number>> {
  const out = {} as Record<(typeof TABLES)[number], number>;
  for (const t of TABLES) out[t] = Number(((await db.query(`SELECT count(*) AS c FROM "${schema}".${t}`)).rows[0] as { c: string }).c);
  return out;
}

/** Insertable columns of a table (generated ones, like the tsvector, are computed by COPY too). */
async function columns(db: pg.Client, schema: string, table: string): Promise<string[]> {
  const r = await db.query(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = $2 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
    [schema, table],
  );
  return (r.rows as { column_name: string }[]).map((c) => `"${c.column_name}"`);
}

/**
 * Exports each table's rows from the projector's schema to a file (untimed), then times
 * `COPY … FROM STDIN` of those files into the empty, fully indexed copy schema: the fastest way
 * Postgres accepts exactly these rows.
 */
async function copyBaseline(run: BenchRun, db: pg.Client, fromSchema: string, toSchema: string) {
  const files: { table: string; file: string; cols: string[]; rows: number }[] = [];
  for (const table of TABLES) {
    const cols = await columns(db, fromSchema, table);
    const file = path.join(run.workDir, `${table}.copy`);
    const stream = db.query(copyTo(`COPY (SELECT ${cols.join(', ')} FROM "${fromSchema}".${table}) TO STDOUT`));
    await pipeline(stream, fs.createWriteStream(file));
    const rows = Number(((await db.query(`SELECT count(*) AS c FROM "${fromSchema}".${table}`)).rows[0] as { c: string }).c);
    files.push({ table, file, cols, rows });
  }
  await db.query('CHECKPOINT').catch(() => undefined);
  const perTable: { table: string; rows: number; seconds: number }[] = [];
  const t0 = performance.now();
  for (const f of files) {
    const t = performance.now();
    const sink = db.query(copyFrom(`COPY "${toSchema}".${f.table} (${f.cols.join(', ')}) FROM STDIN`));
    await pipeline(fs.createReadStream(f.file, { highWaterMark: 1 << 20 }), sink);
    perTable.push({ table: f.table, rows: f.rows, seconds: (performance.now() - t) / 1000 });
    fs.rmSync(f.file);
  }
  const seconds = (performance.now() - t0) / 1000;
  const events = files[0]!.rows;
  return { seconds, eventsPerSecond: events / seconds, perTable };
}

/**
 * Runs the naive peer until it has archived `target` events (or 120 s passed) and rates it over
 * the same window as the projector: first row's transaction start → last observed row.
 */
async function timeNaivePeer(run: BenchRun, db: pg.Client, env: Record<string, string>, target: number) {
  const schema = env.DATABASE_SCHEMA!;
  const proc = await startProcess(run, 'naive-peer', path.join('bench', 'dist', 'naive-peer', 'main.js'), env, { waitHealthy: false });
  const deadline = Date.now() + 120_000 + target * 20;
  let count = 0;
  let lastAt = Date.now();
  while (count < target && Date.now() < deadline) {
    if (proc.exited()) throw new Error(`the naive peer exited; see ${proc.logFile}`);
    await sleep(100);
    count = Number(((await db.query(`SELECT count(*) AS c FROM "${schema}".event_log`)).rows[0] as { c: string }).c);
    lastAt = Date.now();
  }
  const peakRss = await proc.stop();
  const first = await db.query(`SELECT extract(epoch FROM min(appended_at)) * 1000 AS t0 FROM "${schema}".event_log`);
  const seconds = (lastAt - Number((first.rows[0] as { t0: string }).t0)) / 1000;
  if (count === 0) throw new Error(`the naive peer wrote nothing; see ${proc.logFile}`);
  return { events: count, seconds, eventsPerSecond: count / seconds, peakRss };
}
