import { Ajv } from 'ajv';
import type { Admin, Kafka } from 'kafkajs';
import { hashApiKey } from '@timeline/http';
import {
  TIMELINEJS_SCHEMA,
  createTestDatabase,
  createTopics,
  entryCorrected,
  eventSeries,
  openEventStream,
  readinessRaised,
  sleep,
  startApp,
  statementIssued,
  testConfig,
  testKafka,
  waitFor,
  type EventStreamClient,
  type RawEvent,
  type RunningApp,
} from './support/index.js';

interface Entry {
  id: string;
  type: string;
  summary: string;
  occurredAt: string;
  recordedAt: string;
  status: string;
  displayDate: string;
  corrections: { recordedAt: string }[];
}
interface Page {
  data: Entry[];
  page: { nextCursor: string | null; hasMore: boolean };
  streamPosition: string | null;
}

/** Issue 5 acceptance: the built ingest, projector and API processes on real Kafka and Postgres. */
describe('timeline API e2e (ingest → Kafka → projector → API)', () => {
  const editorKey = 'timeline-api-e2e-editor-key-0123456789';
  const { env, config } = testConfig({
    KAFKA_TOPIC_PARTITIONS: '3',
    API_KEYS: `e2e-editor:editor:${hashApiKey(editorKey)}`,
    API_STREAM_HEARTBEAT_SECONDS: '2',
  });
  let drop: () => Promise<void>;
  let kafka: Kafka;
  let admin: Admin;
  let deleteTopics: () => Promise<void>;
  const apps: RunningApp[] = [];
  let ingest: RunningApp;
  let api: RunningApp;
  const streams: EventStreamClient[] = [];

  /** Publishes through the ingest API (which stamps recordedAt), in batches of at most 1,000. */
  const publish = async (events: RawEvent[]): Promise<void> => {
    for (let i = 0; i < events.length; i += 1000) {
      const batch = events.slice(i, i + 1000).map(({ recordedAt: _ignored, ...e }) => e);
      const res = await fetch(`${ingest.url}/v1/events/batch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-API-Key': editorKey },
        body: JSON.stringify({ events: batch }),
      });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    }
  };
  const getJson = async <T>(path: string, base = api.url): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  };
  const timeline = async (qs: string) => {
    const r = await getJson<Page>(`/v1/timeline?${qs}`);
    if (r.status !== 200) throw new Error(`/v1/timeline?${qs} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const total = async (qs: string) => (await getJson<{ total: number }>(`/v1/stats?${qs}`)).body.total;
  const waitForTotal = (qs: string, n: number, timeoutMs = 90_000) =>
    waitFor(`${n} entries for ${qs}`, async () => ((await total(qs)) === n ? true : undefined), timeoutMs, 250);
  const stream = async (url: string, headers: Record<string, string> = {}) => {
    const s = await openEventStream(url, headers);
    streams.push(s);
    return s;
  };

  beforeAll(async () => {
    ({ drop } = await createTestDatabase(config));
    kafka = testKafka(config);
    admin = kafka.admin();
    await admin.connect();
    deleteTopics = await createTopics(admin, [{ topic: config.kafka.eventsTopic, numPartitions: 3 }, { topic: config.kafka.dlqTopic }]);
    const [projector, ing, a] = await Promise.all([startApp('projector', env), startApp('ingest', env), startApp('timeline-api', env)]);
    apps.push(projector, ing, a);
    ingest = ing;
    api = a;
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await deleteTopics?.();
    await admin?.disconnect();
    await drop?.();
  });

  it('shows a published event through /v1/timeline with its precision-aware date', async () => {
    const e = readinessRaised({ tags: ['e2e-publish'], occurredAt: '2022-01-24T00:00:00Z', occurredTz: 'America/New_York' });
    await publish([e]);
    const entry = await waitFor('the entry', async () => (await timeline('tag=e2e-publish')).data[0], 60_000, 200);
    expect(entry).toMatchObject({ id: e.eventId, type: 'readiness.raised', displayDate: '24 January 2022', status: 'live' });
  });

  it('pages over 2,000 entries: each exactly once, in order, while new events arrive', async () => {
    const start = Date.parse('2021-06-01T00:00:00Z');
    const series = eventSeries(2000, start).map((e, i) => ({ ...e, storyId: `paging-${i % 7}`, tags: ['e2e-paging'] }));
    await publish(series);
    await waitForTotal('tag=e2e-paging', 2000);

    // Late arrivals land between existing entries, behind and ahead of the cursor, during the walk.
    const late = eventSeries(300, start).map((e, i) => ({
      ...e,
      occurredAt: new Date(start + 30 * 60_000 + i * 6.5 * 3_600_000).toISOString(),
      storyId: `late-${i % 5}`,
      tags: ['e2e-paging'],
    }));
    const seen: Entry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    const nextPage = async () => {
      const page: Page = await timeline(`tag=e2e-paging&limit=97${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.data);
      cursor = page.page.nextCursor;
      pages++;
    };
    // Both halves spread over the whole range (even and odd positions).
    const firstHalf = late.filter((_, i) => i % 2 === 0);
    const secondHalf = late.filter((_, i) => i % 2 === 1);
    for (let i = 0; i < 10; i++) await nextPage();
    const pausedAt = seen[seen.length - 1]!;
    // Half the late events are fully projected while the walk is paused…
    await publish(firstHalf);
    await waitForTotal('tag=e2e-paging', 2150);
    // …the other half arrives while it continues.
    const publisher = (async () => {
      for (let i = 0; i < secondHalf.length; i += 25) {
        await publish(secondHalf.slice(i, i + 25));
        await sleep(30);
      }
    })();
    do {
      await nextPage();
      await sleep(40);
    } while (cursor);
    await publisher;

    const ids = seen.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      const cmp =
        Date.parse(a.occurredAt) - Date.parse(b.occurredAt) ||
        Date.parse(a.recordedAt) - Date.parse(b.recordedAt) ||
        a.id.localeCompare(b.id);
      expect(cmp).toBeLessThan(0);
    }
    const seenSet = new Set(ids);
    expect(series.filter((e) => !seenSet.has(e.eventId))).toEqual([]);
    // Late events projected during the pause: those ahead of the cursor appear once, those behind never.
    const ahead = firstHalf.filter((e) => Date.parse(e.occurredAt) > Date.parse(pausedAt.occurredAt));
    const behind = firstHalf.filter((e) => Date.parse(e.occurredAt) < Date.parse(pausedAt.occurredAt));
    expect(ahead.length).toBeGreaterThan(0);
    expect(behind.length).toBeGreaterThan(0);
    expect(ahead.filter((e) => !seenSet.has(e.eventId))).toEqual([]);
    expect(behind.filter((e) => seenSet.has(e.eventId))).toEqual([]);
    expect(pages).toBeGreaterThanOrEqual(22);
    // Everything that was published is there once the dust settles.
    await waitForTotal('tag=e2e-paging', 2300);
  });

  it('answers asOf before a correction with the old text', async () => {
    const original = readinessRaised({ tags: ['e2e-asof'], summary: 'Stryker squadron of the 82nd Airborne ordered to Romania' });
    await publish([original]);
    const v1 = await waitFor('the original', async () => (await timeline('tag=e2e-asof')).data[0], 60_000, 200);
    await sleep(20);
    await publish([entryCorrected(original, { summary: 'Stryker squadron of the 2nd Cavalry Regiment ordered to Romania' })]);
    const v2 = await waitFor('the correction', async () => {
      const e = (await timeline('tag=e2e-asof')).data[0];
      return e?.status === 'corrected' ? e : undefined;
    });
    expect(v2.summary).toContain('2nd Cavalry');
    const correctedAt = Date.parse(v2.corrections[0]!.recordedAt);
    const before = (await timeline(`tag=e2e-asof&asOf=${new Date(correctedAt - 1).toISOString()}`)).data;
    expect(before.map((e) => [e.id, e.summary, e.status])).toEqual([[original.eventId, v1.summary, 'live']]);
    const after = (await timeline(`tag=e2e-asof&asOf=${new Date(correctedAt).toISOString()}`)).data;
    expect(after[0]!.summary).toContain('2nd Cavalry');
    const beforeRecorded = (await timeline(`tag=e2e-asof&asOf=${new Date(Date.parse(v1.recordedAt) - 1).toISOString()}`)).data;
    expect(beforeRecorded).toEqual([]);
  });

  it('combines filters, and full-text search finds "Peskov"', async () => {
    const kyiv = { name: 'Kyiv', country: 'UA' };
    const events = [
      readinessRaised({ tags: ['e2e-combo'], occurredAt: '2022-01-10T00:00:00Z' }),
      readinessRaised({ tags: ['e2e-combo'], occurredAt: '2022-02-10T00:00:00Z', locations: [kyiv] }),
      statementIssued({ tags: ['e2e-combo'], occurredAt: '2022-01-25T00:00:00Z' }),
      statementIssued({
        tags: ['e2e-combo'],
        occurredAt: '2022-02-15T00:00:00Z',
        locations: [kyiv],
        summary: 'Kremlin repeats that troop moves are an internal affair',
      }),
    ];
    await publish(events);
    await waitForTotal('tag=e2e-combo', 4);
    const ids = async (qs: string) => (await timeline(`tag=e2e-combo&${qs}`)).data.map((e) => e.id);
    const [a, b, c, d] = events.map((e) => e.eventId) as [string, string, string, string];
    expect(await ids('type=readiness.raised')).toEqual([a, b]);
    expect(await ids('type=readiness.raised&location=kyiv')).toEqual([b]);
    expect(await ids('country=UA&from=2022-02-12')).toEqual([d]);
    expect(await ids('actor=kremlin&to=2022-01-31')).toEqual([c]);
    expect(await ids('type=readiness.raised,statement.issued&country=RU&order=desc')).toEqual([d, c]);
    expect(await ids('type=statement.issued&actor=us-dod')).toEqual([]);
    const fts = (await timeline('tag=e2e-combo&q=Peskov')).data;
    expect(fts.map((e) => e.id).sort()).toEqual([c, d].sort());
    expect(await ids('q=Peskov%20-internal')).toEqual([c]);
  });

  it('streams an entry to a client connected before publishing; Last-Event-ID resumes with nothing missed or repeated', async () => {
    const first = await stream(`${api.url}/v1/stream?tag=e2e-sse`);
    expect(first.status).toBe(200);
    await first.waitForEvent((e) => e.event === 'ready', 15_000, 'ready');
    const live = statementIssued({ tags: ['e2e-sse'] });
    await publish([live]);
    const got = await first.waitForEvent((e) => e.event === 'entry', 60_000, 'the live entry');
    expect(JSON.parse(got.data)).toMatchObject({ change: 'created', entry: { id: live.eventId } });
    const lastId = first.lastEventId()!;
    first.close();

    const missed = [0, 1, 2, 3].map((i) => readinessRaised({ tags: ['e2e-sse'], storyId: `sse-${i}` }));
    await publish(missed);
    await waitForTotal('tag=e2e-sse', 5);
    const resumed = await stream(`${api.url}/v1/stream?tag=e2e-sse`, { 'Last-Event-ID': lastId });
    await resumed.waitForEvent(() => resumed.events.filter((e) => e.event === 'entry').length >= 4, 30_000, 'the four missed entries');
    const next = statementIssued({ tags: ['e2e-sse'] });
    await publish([next]);
    await resumed.waitForEvent((e) => e.event === 'entry' && e.data.includes(next.eventId), 60_000, 'the next live entry');
    await sleep(500);
    const received = resumed.events
      .filter((e) => e.event === 'entry')
      .map((e) => (JSON.parse(e.data) as { entry: { id: string } }).entry.id);
    expect(received.sort()).toEqual([...missed, next].map((e) => e.eventId).sort());
    // Heartbeats every API_STREAM_HEARTBEAT_SECONDS (2 s here) while nothing else is sent.
    await waitFor('a heartbeat comment', () => (resumed.comments.includes('heartbeat') ? true : undefined), 15_000, 100);
  });

  it('exports the filtered timeline as TimelineJS JSON that validates', async () => {
    const res = await fetch(`${api.url}/v1/export?format=timelinejs&tag=e2e-combo`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { events: { unique_id: string; start_date: Record<string, number> }[] };
    const validate = new Ajv({ allErrors: true, strict: true }).compile(TIMELINEJS_SCHEMA);
    const valid = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(doc.events).toHaveLength(4);
    expect(doc.events[0]!.start_date).toEqual({ year: 2022, month: 1, day: 10 });
  });

  it.each([
    ['/v1/timeline?limit=0', 'limit'],
    ['/v1/timeline?limit=501', 'limit'],
    ['/v1/timeline?type=invasion.planned', 'type'],
    ['/v1/timeline?from=2022-02-30', 'from'],
    ['/v1/timeline?to=last-week', 'to'],
    ['/v1/timeline?asOf=noon', 'asOf'],
    ['/v1/timeline?order=random', 'order'],
    ['/v1/timeline?cursor=eyJ2IjoxfQ.Zm9yZ2Vk', 'cursor'],
    ['/v1/timeline?country=Ukraine', 'country'],
    ['/v1/timeline?actor=Kremlin%20OR%201%3D1', 'actor'],
    ['/v1/timeline?includeRetracted=yes', 'includeRetracted'],
    ['/v1/timeline?page=2', 'page'],
    ['/v1/stats?bucket=month', 'bucket'],
    ['/v1/stats?from=2022-13-01', 'from'],
    ['/v1/export?format=xml', 'format'],
    ['/v1/export?type=nope.nope', 'type'],
    ['/v1/stream?asOf=2022-01-01', 'asOf'],
    ['/v1/stream?lastEventId=forged', 'lastEventId'],
    ['/v1/entries/not-a-uuid', 'id'],
    ['/v1/entries/6f1c2a0e-0000-4000-8000-000000000001?asOf=never', 'asOf'],
    ['/v1/schemas?version=2', 'version'],
  ])('%s → 400 problem+json naming %s', async (path, param) => {
    const res = await fetch(`${api.url}${path}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { code: string; errors: { path: string }[] };
    expect(body.code).toBe('QUERY.INVALID_PARAMETER');
    expect(body.errors.map((e) => e.path)).toContain(param);
  });

  it('serves the dashboard with a self-only Content-Security-Policy', async () => {
    const page = await fetch(`${api.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    const script = await fetch(`${api.url}/assets/js/main.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${api.url}/dashboard.css`)).status).toBe(200);
    // Swagger UI's own page needs inline styles; only it gets them.
    expect((await fetch(`${api.url}/docs/`)).headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline'");
  });

  it('a second API instance streams through its own LISTEN connection and closes streams cleanly on SIGTERM', async () => {
    const second = await startApp('timeline-api', env);
    const s = await stream(`${second.url}/v1/stream?tag=e2e-second`);
    await s.waitForEvent((e) => e.event === 'ready', 15_000, 'ready');
    const e = readinessRaised({ tags: ['e2e-second'] });
    await publish([e]);
    await s.waitForEvent((m) => m.event === 'entry' && m.data.includes(e.eventId), 60_000, 'the entry on the second instance');
    const t0 = Date.now();
    const exit = await second.stop();
    expect(exit.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await s.ended;
    expect(s.comments.some((c) => c.startsWith('server shutting down'))).toBe(true);
  });
});
