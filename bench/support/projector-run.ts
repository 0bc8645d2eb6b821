import type pg from 'pg';
import { startApp, waitUntil, type MeasuredProcess } from './app-process.js';
import type { BenchRun } from './bench-run.js';

/** One timed projector run from offset 0 to the end of a pre-filled topic. */
export interface ProjectorRun {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRss: number;
  /** Message outcomes from the projector's /metrics (applied, duplicate, deferred, dead_lettered, fenced). */
  readonly outcomes: Record<string, number>;
}

/**
 * Starts `apps/projector/dist/main.js` on a migrated, empty schema and waits until the offsets it
 * stores in Postgres cover all `n` messages. The clock starts at the first batch transaction
 * (`min(event_log.appended_at)`, i.e. its `now()`), so process boot and the group join are not
 * counted, and stops when the bench sees the last offset committed (polled every 50 ms).
 */
export async function timeProjector(
  run: BenchRun,
  db: pg.Client,
  env: Record<string, string>,
  n: number,
  opts: { keepRunning?: boolean } = {},
): Promise<ProjectorRun & { process: MeasuredProcess }> {
  const schema = env.DATABASE_SCHEMA!;
  const pgStats = process.env.BENCH_PG_STATS === '1';
  if (pgStats) {
    // Shared server: other sessions' statements land here too while this runs (see docs/benchmarks.md).
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public');
    await db.query('SELECT public.pg_stat_statements_reset()');
  }
  const proc = await startApp(run, 'projector', env);
  const timeoutMs = 120_000 + n * 5;
  const doneAt = await waitUntil(
    `the projector to apply ${n} events`,
    async () => {
      if (proc.exited()) throw new Error(`the projector exited; see ${proc.logFile}`);
      const r = await db.query(
        `SELECT coalesce(sum(next_offset), 0)::bigint AS n FROM "${schema}".projector_offsets WHERE projection = 'live'`,
      );
      return Number((r.rows[0] as { n: string }).n) >= n ? Date.now() : undefined;
    },
    timeoutMs,
  );
  const first = await db.query(`SELECT extract(epoch FROM min(appended_at)) * 1000 AS t0 FROM "${schema}".event_log`);
  const t0 = Number((first.rows[0] as { t0: string }).t0);
  const outcomes = await scrapeOutcomes(proc.url);
  if (pgStats) await printTopStatements(db);
  const seconds = (doneAt - t0) / 1000;
  const peakRss = opts.keepRunning ? proc.peakRss() : await proc.stop();
  return { events: n, seconds, eventsPerSecond: n / seconds, peakRss, outcomes, process: proc };
}

/** `timeline_projector_messages_total` by outcome. */
export async function scrapeOutcomes(url: string): Promise<Record<string, number>> {
  const text = await fetch(`${url}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^timeline_projector_messages_total\{([^}]*)\} (\d+)/gm)) {
    const outcome = /outcome="([a-z_]+)"/.exec(m[1]!)?.[1];
    if (outcome) out[outcome] = (out[outcome] ?? 0) + Number(m[2]);
  }
  return out;
}

/** The statements that took the most server time since the reset (pg_stat_statements). */
export async function printTopStatements(db: pg.Client, limit = 12): Promise<void> {
  const r = await db.query(
    `SELECT calls, round(total_exec_time)::int AS total_ms, round(mean_exec_time::numeric, 2) AS mean_ms, rows,
            shared_blks_hit + shared_blks_read AS blocks, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
       FROM public.pg_stat_statements ORDER BY total_exec_time DESC LIMIT $1`,
    [limit],
  );
  process.stderr.write('[bench] pg_stat_statements, top by total time:\n');
  for (const row of r.rows as { calls: number; total_ms: number; mean_ms: string; rows: number; blocks: number; query: string }[]) {
    process.stderr.write(
      `  ${String(row.total_ms).padStart(7)} ms ${String(row.calls).padStart(6)} calls ${row.mean_ms.padStart(8)} ms/call ${String(row.rows).padStart(8)} rows  ${row.query}\n`,
    );
  }
}
