import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { sleep, startApp, type MeasuredProcess } from './support/app-process.js';
import { BenchRun, ROOT, benchEvents } from './support/bench-run.js';
import { load, machineInfo, recordResult, replaceSection, updateDoc } from './support/report.js';
import { ms, summarize, type LatencySummary } from './support/stats.js';
import { seedTimeline } from './support/timeline-seeder.js';

/** The listed queries; each is a GET /v1/timeline of one page (limit 50) on the real API. */
interface QueryCase {
  readonly key: string;
  readonly title: string;
  readonly query: string;
  /** One of the five queries the issue sets bars for (the others justify an index). */
  readonly listed: boolean;
}

interface CapturedSql {
  readonly text: string;
  readonly values: unknown[];
}

const PAGE = 50;

/**
 * bench:query — read latency on a large timeline (default 200,000 entries; `BENCH_EVENTS` scales).
 * The timeline is written by the product's own TimelineProjectionWriter (no Kafka: big
 * transactions), analysed, then queried over HTTP on the real API process, one request at a time:
 * first page, a keyset page at 90% depth, three filters at once, `asOf`, full text. Bars: deep ÷
 * first p95 ≤ 1.5 (OFFSET's ratio printed beside it, measured in SQL on the same statement) and
 * every query's p95 ≤ 20× the first page's. The SQL each request ran is captured in the API
 * process (bench/support/pg-capture.ts) and EXPLAIN (ANALYZE, BUFFERS)'d into docs/benchmarks.md.
 */
export async function queryBench(): Promise<void> {
  const n = benchEvents(200_000);
  const run = await new BenchRun('query').start();
  try {
    const db = await run.pgClient();
    const machine = await machineInfo(db);
    const loadBefore = load();
    // BENCH_REUSE_SCHEMA: the timeline a BENCH_KEEP_SCHEMA=1 run seeded (same N), queried again
    // without seeding it anew (minutes at 1M); the row says so.
    const reuse = process.env.BENCH_REUSE_SCHEMA;
    const env = { ...run.env('read'), ...(reuse ? { DATABASE_SCHEMA: reuse } : {}) };
    const config = run.config(env);
    const schema = config.database.schema;
    let seeded: { seconds: number };
    if (reuse) {
      process.stderr.write(`[bench] reusing the seeded schema "${reuse}" (BENCH_REUSE_SCHEMA), migrated to this build …\n`);
      await run.migrate(config, { keep: true });
      seeded = { seconds: 0 };
    } else {
      const ds = await run.migrate(config);
      process.stderr.write(`[bench] seeding ${n} events through TimelineProjectionWriter …\n`);
      seeded = await seedTimeline(ds, n, config.kafka.eventsTopic, config.kafka.partitions);
    }
    await db.query(`ANALYZE "${schema}".timeline_entries, "${schema}".entry_versions`);
    const visible = Number(
      ((await db.query(`SELECT count(*) AS c FROM "${schema}".timeline_entries WHERE status <> 'retracted'`)).rows[0] as { c: string }).c,
    );
    const { mid, early } = (
      await db.query(
        `SELECT to_json(percentile_disc(0.5) WITHIN GROUP (ORDER BY recorded_from)) #>> '{}' AS mid,
                to_json(percentile_disc(0.05) WITHIN GROUP (ORDER BY recorded_from)) #>> '{}' AS early FROM "${schema}".entry_versions`,
      )
    ).rows[0] as { mid: string; early: string };

    const captureFile = path.join(run.workDir, 'sql.jsonl');
    fs.writeFileSync(captureFile, '');
    const api = await startApp(
      run,
      'timeline-api',
      { ...env, BENCH_SQL_CAPTURE: captureFile },
      {
        nodeArgs: ['--import', path.join(ROOT, 'bench', 'dist', 'support', 'pg-capture.js')],
      },
    );

    process.stderr.write(`[bench] walking to 90% depth of ${visible} visible entries …\n`);
    const deepCursor = await cursorAtDepth(api.url, Math.floor(visible * 0.9));
    const cases: QueryCase[] = [
      { key: 'first', title: 'first page', query: `limit=${PAGE}`, listed: true },
      { key: 'deep', title: 'keyset page at 90% depth', query: `limit=${PAGE}&cursor=${encodeURIComponent(deepCursor)}`, listed: true },
      {
        key: 'filter3',
        title: '3 filters (type + country + actor)',
        query: `limit=${PAGE}&type=troops.moved&country=RU&actor=kremlin`,
        listed: true,
      },
      { key: 'asOf', title: 'asOf (median recorded time)', query: `limit=${PAGE}&asOf=${encodeURIComponent(mid)}`, listed: true },
      {
        key: 'fts',
        title: 'full text ("pontoon bridges")',
        query: `limit=${PAGE}&q=${encodeURIComponent('pontoon bridges')}`,
        listed: true,
      },
      // The same words as one term: its frequency is estimated right (two always-together words are
      // estimated as independent, 0.055² instead of 0.055; see docs/benchmarks.md).
      { key: 'fts1', title: 'full text, one word ("pontoon")', query: `limit=${PAGE}&q=pontoon`, listed: false },
      // Issue 16: one entry in ten is Ukrainian, one in ten Russian; inflected forms, found by the
      // Hunspell (uk) and Snowball (ru) configurations — every query runs in all of them.
      ...[
        ['ftsUk1', 'full text, Ukrainian, one word ("понтонних")', 'понтонних'],
        ['ftsUk2', 'full text, Ukrainian, two words ("понтонних мостів")', 'понтонних мостів'],
        ['ftsRu1', 'full text, Russian, one word ("понтонных")', 'понтонных'],
        ['ftsRu2', 'full text, Russian, two words ("понтонных мостов")', 'понтонных мостов'],
      ].map(([key, title, q]): QueryCase => ({
        key: key!,
        title: title!,
        query: `limit=${PAGE}&q=${encodeURIComponent(q!)}`,
        listed: false,
      })),
      // Selective filters: each shows (EXPLAIN below) which index serves a rare value.
      {
        key: 'rareType',
        title: 'rare type (recognition.declared, ~0.02%)',
        query: `limit=${PAGE}&type=recognition.declared`,
        listed: false,
      },
      { key: 'rareActor', title: 'rare actor (local-official-7, ~0.01%)', query: `limit=${PAGE}&actor=local-official-7`, listed: false },
      {
        key: 'rareStory',
        title: 'rare story (local-story-7, ~0.015%)',
        query: `limit=${PAGE}&story=local-story-7`,
        listed: false,
      },
      { key: 'rareTag', title: 'tag (martial-law)', query: `limit=${PAGE}&tag=martial-law`, listed: false },
      { key: 'country', title: 'country (CH, rare)', query: `limit=${PAGE}&country=CH`, listed: false },
      {
        key: 'asOfEarly',
        title: 'asOf (5th percentile recorded time)',
        query: `limit=${PAGE}&asOf=${encodeURIComponent(early)}`,
        listed: false,
      },
    ];

    // The SQL of each case, captured inside the API process, then EXPLAIN (ANALYZE, BUFFERS).
    const sqlOf = new Map<string, CapturedSql[]>();
    for (const c of cases) sqlOf.set(c.key, await captureSql(api, captureFile, `/v1/timeline?${c.query}`));

    const results = new Map<string, LatencySummary>();
    for (const c of cases) {
      process.stderr.write(`[bench] ${c.title} …\n`);
      results.set(c.key, await timeRequests(`${api.url}/v1/timeline?${c.query}`, c.listed ? 200 : 50));
    }
    const apiRss = await api.stop();

    // Keyset vs OFFSET on the API's own first-page statement, in SQL (the API offers no OFFSET).
    const firstSql = mainStatement(sqlOf.get('first')!);
    const deepSql = mainStatement(sqlOf.get('deep')!);
    const sqlFirst = await timeSql(db, firstSql.text, firstSql.values);
    const sqlDeep = await timeSql(db, deepSql.text, deepSql.values);
    // A handful of samples: at 1M entries each OFFSET read takes seconds (which is the point).
    const offsetDeep = await timeSql(db, `${firstSql.text} OFFSET ${Math.floor(visible * 0.9)}`, firstSql.values, 7, 1);

    await writePlans(db, cases, sqlOf, n);

    const first = results.get('first')!;
    const ratio = (k: string) => results.get(k)!.p95 / first.p95;
    recordResult(
      {
        bench: 'query',
        n,
        figures: [
          ...cases.map((c): [string, string] => [
            `${c.title} p50 / p95`,
            `${ms(results.get(c.key)!.p50)} / ${ms(results.get(c.key)!.p95)}`,
          ]),
          ['SQL first / keyset 90% / OFFSET 90% p95', `${ms(sqlFirst.p95)} / ${ms(sqlDeep.p95)} / ${ms(offsetDeep.p95)}`],
          [
            'timeline',
            `${visible} visible entries; ${reuse ? `schema of an earlier run reused (${reuse})` : `seeded in ${seeded.seconds.toFixed(0)} s`}`,
          ],
        ],
        ratios: [
          { name: 'deep ÷ first page p95 (keyset, HTTP)', value: ratio('deep'), bar: '≤ 1.5', met: ratio('deep') <= 1.5 },
          { name: 'OFFSET deep ÷ first p95 (SQL, contrast)', value: offsetDeep.p95 / sqlFirst.p95 },
          { name: 'keyset deep ÷ first p95 (SQL)', value: sqlDeep.p95 / sqlFirst.p95 },
          ...cases
            .filter((c) => c.key !== 'first' && c.key !== 'deep')
            .map((c) => ({
              name: `${c.key} ÷ first page p95`,
              value: ratio(c.key),
              ...(c.listed ? { bar: '≤ 20', met: ratio(c.key) <= 20 } : {}),
            })),
        ],
        rss: { 'timeline-api': apiRss },
      },
      machine,
      loadBefore,
    );
  } finally {
    await run.close();
  }
}

async function getJson(url: string): Promise<{ page: { nextCursor: string | null; hasMore: boolean }; data: unknown[] }> {
  const r = await fetch(url);
  if (r.status !== 200) throw new Error(`${url} answered ${r.status}: ${(await r.text()).slice(0, 500)}`);
  return (await r.json()) as { page: { nextCursor: string | null; hasMore: boolean }; data: unknown[] };
}

/** Walks the timeline with big keyset pages until `depth` entries lie behind the cursor. */
async function cursorAtDepth(base: string, depth: number): Promise<string> {
  let cursor: string | null = null;
  let walked = 0;
  while (walked < depth) {
    const limit = Math.min(500, depth - walked);
    const body = await getJson(`${base}/v1/timeline?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    walked += body.data.length;
    cursor = body.page.nextCursor;
    if (!cursor) throw new Error(`the timeline ended after ${walked} entries, before depth ${depth}`);
  }
  return cursor!;
}

/** One request with capture switched on in the API process; returns the statements it ran. */
async function captureSql(api: MeasuredProcess, file: string, pathAndQuery: string): Promise<CapturedSql[]> {
  const before = fs.readFileSync(file, 'utf8').length;
  api.child.kill('SIGUSR2');
  await sleep(150);
  await getJson(`${api.url}${pathAndQuery}`);
  api.child.kill('SIGUSR2');
  await sleep(150);
  return fs
    .readFileSync(file, 'utf8')
    .slice(before)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CapturedSql)
    .filter((s) => /^\s*(SELECT|WITH)\b/i.test(s.text));
}

/**
 * The statements that found a page: the planner's page statement, or for a search the sample (and the
 * walk or index read it chose) and the read of the page's rows by id.
 */
function pageStatements(stmts: CapturedSql[]): CapturedSql[] {
  const page = stmts.find(isPageStatement);
  if (page) return [page];
  const search = stmts.filter((x) => /WITH [wm] AS MATERIALIZED/.test(x.text) || /e\.entry_id = ANY\(/.test(x.text));
  if (search.length) return search;
  throw new Error(`no page statement among the captured SQL:\n${stmts.map((x) => x.text).join('\n---\n')}`);
}

/** Whether `x` is the planner's page statement (ordered and limited in timeline order). */
function isPageStatement(x: CapturedSql): boolean {
  return /ORDER BY e\.occurred_at/.test(x.text) && /LIMIT \$\d+(::int)?\s*$/.test(x.text);
}

/** The page statement (the one ordered and limited in timeline order). */
function mainStatement(stmts: CapturedSql[]): CapturedSql {
  const s = stmts.find(isPageStatement);
  if (!s) throw new Error(`no page statement among the captured SQL:\n${stmts.map((x) => x.text).join('\n---\n')}`);
  return s;
}

/**
 * Sequential requests (one client: latency, not throughput) after 10 warm-ups; `max` samples or
 * 25 s, whichever comes first (at least 20).
 */
async function timeRequests(url: string, max: number): Promise<LatencySummary> {
  for (let i = 0; i < 10; i++) await getJson(url);
  const samples: number[] = [];
  const until = performance.now() + 25_000;
  while (samples.length < max && (performance.now() < until || samples.length < 20)) {
    const t = performance.now();
    const r = await fetch(url);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
    samples.push(performance.now() - t);
  }
  return summarize(samples);
}

async function timeSql(db: pg.Client, text: string, values: unknown[], n = 50, warmups = 3): Promise<LatencySummary> {
  for (let i = 0; i < warmups; i++) await db.query(text, values);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await db.query(text, values);
    samples.push(performance.now() - t);
  }
  return summarize(samples);
}

/** EXPLAIN (ANALYZE, BUFFERS) of every case's page statement into the doc's plans section. */
async function writePlans(db: pg.Client, cases: QueryCase[], sqlOf: Map<string, CapturedSql[]>, n: number): Promise<void> {
  const parts: string[] = [
    `Captured from the API process by the largest \`bench:query\` run so far (N = ${n.toLocaleString('en-US')}, ${new Date().toISOString().slice(0, 16)}Z).`,
    'Bind values are shown in the first line of each block.',
  ];
  for (const c of cases) {
    parts.push(`#### ${c.title}`, '');
    for (const s of pageStatements(sqlOf.get(c.key)!)) {
      const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.values);
      const lines = (plan.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']);
      const values = s.values.map((v) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 57)}…` : v));
      parts.push('```text', `-- values: ${JSON.stringify(values)}`, ...lines, '```', '');
    }
  }
  // The plans of the largest timeline measured so far are kept: a default-size run does not replace
  // the plans of a BENCH_EVENTS=1000000 run.
  updateDoc((doc) => {
    const kept = /`bench:query` run(?: so far)? \(N = ([\d,]+)/.exec(doc.slice(doc.indexOf('<!-- plans:start -->')));
    if (kept && Number(kept[1]!.replace(/,/g, '')) > n) return doc;
    return replaceSection(doc, 'plans', parts.join('\n'));
  });
}
