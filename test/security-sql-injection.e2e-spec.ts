import type { DataSource } from 'typeorm';
import { TimelineProjectionWriter } from '@timeline/store';
import {
  createTestDatabase,
  entryRetracted,
  openEventStream,
  positioned,
  readinessRaised,
  startApp,
  statementIssued,
  testConfig,
  type RunningApp,
} from './support/index.js';

/** Classic and PostgreSQL-specific injection strings (tautologies, stacked queries, comments, sleeps, NUL). */
const PAYLOADS = [
  "' OR '1'='1",
  "'; DROP TABLE canary; --",
  '1; DROP TABLE canary',
  '" OR ""="',
  "') OR ('x'='x",
  "x' UNION SELECT event_id::text, null FROM event_log --",
  '$$; DELETE FROM timeline_entries; $$',
  "'; SELECT pg_sleep(5); --",
  '1) OR pg_sleep(5) IS NULL --',
  "\\'; TRUNCATE event_log CASCADE; --",
  '%27%20OR%201%3D1',
  '*/ OR 1=1 /*',
  "'||(SELECT string_agg(name, ',') FROM projections)||'",
  '{"$gt":""}',
  "\u0000'; DROP TABLE canary; --",
  "live'; UPDATE active_projection SET name = 'x'; --",
  "2022-01-24'; DROP TABLE canary; --",
  "seed-story' OR 'a'='a",
  'seed-story,x) OR (1=1',
];

const FILTERS = ['type', 'actor', 'country', 'location', 'tag', 'story', 'q', 'from', 'to', 'includeRetracted', 'asOf'];
const ENDPOINTS: { path: string; params: string[]; empty: (body: string) => boolean }[] = [
  {
    path: '/v1/timeline',
    params: [...FILTERS, 'limit', 'order', 'cursor'],
    empty: (b) => (JSON.parse(b) as { data: unknown[] }).data.length === 0,
  },
  { path: '/v1/stats', params: [...FILTERS, 'bucket'], empty: (b) => (JSON.parse(b) as { total: number }).total === 0 },
  { path: '/v1/export', params: [...FILTERS, 'format', 'order'], empty: (b) => b === '' },
  {
    path: '/v1/replay',
    params: ['from', 'to', 'speed', 'maxGap', 'asOf', 'type', 'actor'],
    empty: (b) => /event: end\ndata: \{"count":0/.test(b),
  },
];

/**
 * Every filter and sort parameter of the read API is whitelisted or bound as a parameter: injection
 * strings in any of them get 400 (problem+json) or an empty result — never a 500, never a changed
 * row (checksums of every table before and after), never a slow query (no pg_sleep ran).
 */
describe('SQL injection through every read parameter', () => {
  const { env, config } = testConfig({ RATE_LIMIT_STREAMS_PER_MINUTE: '0', API_STREAM_MAX_PER_CLIENT: '1000' });
  let ds: DataSource;
  let drop: () => Promise<void>;
  let api: RunningApp;

  const checksum = async (): Promise<Record<string, string>> => {
    const tables: { table_name: string }[] = await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [config.database.schema],
    );
    const out: Record<string, string> = { tables: tables.map((t) => t.table_name).join(',') };
    for (const { table_name } of tables) {
      const [row] = await ds.query(
        `SELECT count(*)::text || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM "${table_name}" t`,
      );
      out[table_name] = row.sum;
    }
    return out;
  };

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    const target = readinessRaised({ storyId: 'seed-story', summary: 'Pentagon puts troops on heightened alert' });
    const events = [
      target,
      statementIssued({ storyId: 'seed-story', summary: 'Kremlin voices great concern' }),
      entryRetracted(statementIssued({ storyId: 'seed-story' })),
      entryRetracted(target),
    ];
    await new TimelineProjectionWriter().applyCommitted(ds, 'live', positioned(events, { topic: config.kafka.eventsTopic }));
    await ds.query('CREATE TABLE canary (x int)');
    await ds.query('INSERT INTO canary VALUES (1)');
    api = await startApp('timeline-api', env);
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await drop();
  }, 60_000);

  it('answers 400 or an empty result for injection strings in every parameter, and changes nothing', async () => {
    const before = await checksum();
    expect(Number((await ds.query(`SELECT count(*) AS n FROM timeline_entries`))[0].n)).toBe(2);
    const outcomes = new Map<string, number>();
    const bad: string[] = [];
    const note = (what: string, status: number, ms: number, emptyOk: boolean) => {
      outcomes.set(String(status), (outcomes.get(String(status)) ?? 0) + 1);
      if (status >= 500 || ![200, 400, 404].includes(status)) bad.push(`${what} → ${status}`);
      if (status === 200 && !emptyOk) bad.push(`${what} → 200 with a non-empty result`);
      if (ms > 3000) bad.push(`${what} took ${ms} ms`);
    };

    for (const payload of PAYLOADS) {
      for (const ep of ENDPOINTS) {
        // The payload in each parameter, and as a parameter name (unknown names are refused).
        const queries = [...ep.params.map((p) => ({ [p]: payload })), { [payload]: '1' }];
        for (const q of queries) {
          // replay needs a window; give the other parameter a valid value so the payload is what is judged.
          const base: Record<string, string> =
            ep.path === '/v1/replay' ? { from: '2021-01-01', to: '2023-01-01', speed: '1000000', maxGap: '0' } : {};
          const url = `${api.url}${ep.path}?${new URLSearchParams({ ...base, ...q })}`;
          const t0 = Date.now();
          const res = await fetch(url);
          const body = await res.text();
          if (res.status === 400) expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
          note(`${ep.path} ${JSON.stringify(q)}`, res.status, Date.now() - t0, res.status !== 200 || ep.empty(body));
        }
      }
      // Path parameter, with and without asOf.
      for (const path of [
        `/v1/entries/${encodeURIComponent(payload)}`,
        `/v1/entries/${await anyEntryId(ds)}?asOf=${encodeURIComponent(payload)}`,
      ]) {
        const t0 = Date.now();
        const res = await fetch(`${api.url}${path}`);
        await res.text();
        note(`GET ${path}`, res.status, Date.now() - t0, res.status !== 200);
      }
      // The live stream: a 200 opens the stream (it carries no rows until new ones are projected).
      for (const q of [...FILTERS.filter((p) => p !== 'asOf'), 'lastEventId'].map((p) => ({ [p]: payload }))) {
        const t0 = Date.now();
        const s = await openEventStream(`${api.url}/v1/stream?${new URLSearchParams(q)}`);
        if (s.status === 200) await s.waitForEvent((e) => e.event === 'ready', 10_000, 'ready');
        s.close();
        note(
          `/v1/stream ${JSON.stringify(q)}`,
          s.status,
          Date.now() - t0,
          s.events.every((e) => e.event === 'ready'),
        );
      }
      // HTTP forbids control characters in header values (fetch refuses to send them).
      if (!/[\u0000-\u001f]/.test(payload)) {
        const s = await openEventStream(`${api.url}/v1/stream`, { 'Last-Event-ID': payload });
        s.close();
        note(`/v1/stream Last-Event-ID ${payload}`, s.status, 0, s.status !== 200);
      }
    }

    expect(bad).toEqual([]);
    expect(outcomes.get('400')).toBeGreaterThan(PAYLOADS.length * 10);
    expect(await checksum()).toEqual(before);
    expect(Number((await ds.query('SELECT count(*) AS n FROM canary'))[0].n)).toBe(1);
    expect(api.output()).not.toContain('"level":50');
  }, 300_000);
});

async function anyEntryId(ds: DataSource): Promise<string> {
  return (await ds.query(`SELECT entry_id::text AS id FROM timeline_entries LIMIT 1`))[0].id;
}
