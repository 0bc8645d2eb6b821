import { spawn } from 'node:child_process';
import path from 'node:path';
import { peakRssOf, sleep, startApp } from './support/app-process.js';
import { BenchRun, ROOT, benchEvents } from './support/bench-run.js';
import { timeProjector } from './support/projector-run.js';
import { load, machineInfo, recordResult } from './support/report.js';
import { ms, rate, summarize } from './support/stats.js';
import { loadTopic } from './support/topic-loader.js';

/** Requests per second of the paced read load (a busy newsroom dashboard fleet, not a stress test). */
const READ_RATE = 20;
const REST_SECONDS = 15;
// Dashboard-like reads. The one-word search, not the two-word one: at 1M entries the latter costs
// ~0.6 s of CPU (bench:query) and 5 of them a second would saturate 2 cores by themselves.
const READS = ['limit=50', 'limit=50&type=troops.moved&country=RU', 'limit=50&q=pontoon', 'limit=50&order=desc'];

/**
 * bench:rebuild — the zero-downtime rebuild under read traffic. The live projector (real process)
 * projects N events; the timeline API serves a paced read load (20 requests/s, a mix of first
 * pages, filters and one-word full text) for 15 s at rest, then during `cli rebuild --from kafka` (a real
 * process) until it has switched the active projection. Reports the rebuild's events/s and the
 * API's p95 during ÷ at rest; every read must succeed throughout (zero downtime).
 */
export async function rebuildBench(): Promise<void> {
  const n = benchEvents(20_000);
  const run = await new BenchRun('rebuild').start();
  try {
    const db = await run.pgClient();
    const machine = await machineInfo(db);
    const loadBefore = load();
    const env = run.env('live');
    const config = run.config(env);
    const topic = await run.createTopics(config);
    await loadTopic(run.kafka(config), topic, n);
    await run.migrate(config);
    process.stderr.write(`[bench] live projector: ${n} events …\n`);
    const projector = await timeProjector(run, db, env, n, { keepRunning: true });
    const api = await startApp(run, 'timeline-api', env);
    for (const q of READS) await fetch(`${api.url}/v1/timeline?${q}`).then((r) => r.arrayBuffer());

    process.stderr.write(`[bench] API at rest, ${READ_RATE} req/s for ${REST_SECONDS} s …\n`);
    const rest = await readLoad(api.url, sleep(REST_SECONDS * 1000));

    process.stderr.write('[bench] cli rebuild --from kafka under the same read load …\n');
    const cli = spawn(
      process.execPath,
      [path.join(ROOT, 'apps', 'cli', 'dist', 'main.js'), 'rebuild', '--from', 'kafka', '--drop-delay', '2'],
      {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    run.onClose(async () => void (cli.exitCode === null && cli.kill('SIGTERM')));
    let out = '';
    cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let cliPeak = 0;
    const rssTimer = setInterval(() => (cliPeak = Math.max(cliPeak, peakRssOf(cli.pid))), 200);
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    const during = await readLoad(api.url, exited);
    clearInterval(rssTimer);
    const code = await exited;
    if (code !== 0) throw new Error(`cli rebuild exited ${code}:\n${out.slice(-3000)}`);
    const m = /rebuilt (\S+) from (\S+) in ([\d.]+) s: (\d+) messages read, (\d+) applied/.exec(out);
    if (!m) throw new Error(`unexpected cli rebuild output:\n${out.slice(-3000)}`);
    const [, version, , secs, read] = m;
    const rebuildRate = Number(read) / Number(secs);
    const active = ((await db.query(`SELECT name FROM "${config.database.schema}".active_projection`)).rows[0] as { name: string }).name;
    if (active !== version) throw new Error(`the active projection is ${active}, expected ${version}`);
    const apiRss = await api.stop();
    const projectorRss = await projector.process.stop();

    const r = summarize(rest.latencies);
    const d = summarize(during.latencies);
    const p95Ratio = d.p95 / r.p95;
    recordResult(
      {
        bench: 'rebuild',
        n,
        figures: [
          ['cli rebuild --from kafka', `${rate(rebuildRate)} (${read} events in ${Number(secs).toFixed(1)} s, switched to ${version})`],
          ['live projector (for reference)', `${rate(projector.eventsPerSecond)}`],
          ['API at rest p50 / p95', `${ms(r.p50)} / ${ms(r.p95)} (${r.n} reads)`],
          ['API during rebuild p50 / p95', `${ms(d.p50)} / ${ms(d.p95)} (${d.n} reads)`],
          ['failed reads at rest / during', `${rest.failures} / ${during.failures}`],
        ],
        ratios: [
          { name: 'API p95 during ÷ at rest', value: p95Ratio, bar: '≤ 3', met: p95Ratio <= 3 },
          { name: 'rebuild ÷ live projector events/s', value: rebuildRate / projector.eventsPerSecond },
        ],
        rss: { projector: projectorRss, 'timeline-api': apiRss, 'cli rebuild': cliPeak },
      },
      machine,
      loadBefore,
    );
    if (rest.failures + during.failures > 0) throw new Error(`${rest.failures + during.failures} reads failed: not zero-downtime`);
  } finally {
    await run.close();
  }
}

/** Paced open-loop reads (READ_RATE/s, cycling through READS) until `until` settles. */
async function readLoad(base: string, until: Promise<unknown>): Promise<{ latencies: number[]; failures: number }> {
  let done = false;
  void until.finally(() => (done = true));
  const latencies: number[] = [];
  let failures = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  for (let i = 0; !done;) {
    const due = Math.floor(((performance.now() - start) / 1000) * READ_RATE) + 1;
    for (; i < due; i++) {
      const t = performance.now();
      const p = fetch(`${base}/v1/timeline?${READS[i % READS.length]}`)
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status === 200) latencies.push(performance.now() - t);
          else failures++;
        })
        .catch(() => void failures++)
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    await sleep(5);
  }
  await Promise.all(pending);
  return { latencies, failures };
}
