import type { NestExpressApplication } from '@nestjs/platform-express';
import { Ajv } from 'ajv';
import type { DataSource } from 'typeorm';
import { hashApiKey, listenAndLog } from '@timeline/http';
import { createLogger } from '@timeline/observability';
import { TimelineProjectionWriter, type PositionedEvent } from '@timeline/store';
import {
  createTestDatabase,
  entryCorrected,
  entryRetracted,
  eventSeries,
  positioned,
  readinessRaised,
  statementIssued,
  testConfig,
  TIMELINEJS_SCHEMA,
  type RawEvent,
} from '../../../test/support/index.js';
import { createTimelineApiApp } from './timeline-api.app.js';

const logger = createLogger('timeline-api', 'silent');

/** The API in-process on a private schema, fed through the real projection writer. */
describe('timeline API over the real read model (in-process, real Postgres)', () => {
  const { config } = testConfig();
  const writer = new TimelineProjectionWriter();
  let ds: DataSource;
  let drop: () => Promise<void>;
  let app: NestExpressApplication;
  let base: string;
  let offset = 0;

  /** Applies events as the projector would: one transaction, increasing offsets of one partition. */
  const project = async (events: RawEvent[], partition = 0): Promise<PositionedEvent[]> => {
    const batch = positioned(events, { topic: config.kafka.eventsTopic, partition, offset });
    offset += events.length;
    await writer.applyCommitted(ds, 'live', batch);
    return batch;
  };
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    const text = await res.text();
    const json = /json/.test(res.headers.get('content-type') ?? '') && !/ndjson/.test(res.headers.get('content-type') ?? '');
    return { res, status: res.status, body: json && text ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
  };

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    app = await createTimelineApiApp(config, logger);
    base = await listenAndLog(app, 0, '127.0.0.1', 'timeline-api', logger);
  });
  afterAll(async () => {
    await app?.close();
    await drop();
  });

  it('lists projected entries chronologically with precision-aware dates', async () => {
    const later = readinessRaised({ occurredAt: '2022-01-24T00:00:00Z' });
    const earlier = statementIssued({ occurredAt: '2021-11-12T00:00:00Z', recordedAt: '2021-11-12T10:00:00Z', tags: ['smoke'] });
    await project([later, earlier]);
    const { status, body } = await get('/v1/timeline');
    expect(status).toBe(200);
    const data = body!.data as { id: string; displayDate: string; date: Record<string, number>; typeTitle: string }[];
    expect(data.map((d) => d.id)).toEqual([earlier.eventId, later.eventId]);
    expect(data[1]).toMatchObject({
      displayDate: '24 January 2022',
      date: { year: 2022, month: 1, day: 24 },
      typeTitle: 'Readiness raised',
    });
    expect(data[1]!.date).not.toHaveProperty('hour');
    expect(body!.streamPosition).toEqual(expect.any(String));
  });

  it('answers If-None-Match with 304 while nothing changed', async () => {
    const first = await get('/v1/timeline?tag=smoke');
    const etag = first.res.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await get('/v1/timeline?tag=smoke', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    await project([statementIssued({ tags: ['smoke'] })]);
    const changed = await get('/v1/timeline?tag=smoke', { 'If-None-Match': etag });
    expect(changed.status).toBe(200);
  });

  it('pages with a signed keyset cursor and refuses a forged one', async () => {
    const series = eventSeries(25, Date.parse('2021-12-01T00:00:00Z')).map((e) => ({ ...e, tags: ['paging'] }));
    await project([...series].reverse());
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body?: Record<string, unknown> } = await get(
        `/v1/timeline?tag=paging&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(status).toBe(200);
      seen.push(...(body!.data as { id: string }[]).map((d) => d.id));
      cursor = (body!.page as { nextCursor: string | null }).nextCursor;
    } while (cursor);
    expect(seen).toEqual(series.map((e) => e.eventId));

    const first = (await get('/v1/timeline?tag=paging&limit=7')).body!;
    const next = (first.page as { nextCursor: string }).nextCursor;
    const [payload, tag] = next.split('.') as [string, string];
    const forgedBody = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        k: ['2030-01-01T00:00:00.000000Z', '2030-01-01T00:00:00.000000Z', series[0]!.eventId],
      }),
    ).toString('base64url');
    const forged = await get(`/v1/timeline?tag=paging&limit=7&cursor=${forgedBody}.${tag}`);
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ code: 'QUERY.INVALID_PARAMETER', errors: [{ path: 'cursor' }] });
    const otherQuery = await get(`/v1/timeline?tag=paging&limit=7&order=desc&cursor=${next}`);
    expect(otherQuery.status).toBe(400);
    expect(otherQuery.body).toMatchObject({ errors: [{ path: 'cursor' }] });
  });

  it('answers asOf from the versions valid then, and shows corrections and retractions', async () => {
    const original = readinessRaised({ summary: 'Stryker squadron of the 82nd Airborne ordered to Europe', tags: ['stryker'] });
    const fix = entryCorrected(
      original,
      { summary: 'Stryker squadron of the 2nd Cavalry Regiment ordered to Europe' },
      { recordedAt: '2022-02-10T09:00:00Z' },
    );
    await project([original]);
    await project([fix]);
    const now = (await get('/v1/timeline?tag=stryker')).body!.data as { summary: string; status: string; corrections: unknown[] }[];
    expect(now[0]).toMatchObject({ summary: expect.stringContaining('2nd Cavalry'), status: 'corrected' });
    expect(now[0]!.corrections).toEqual([
      expect.objectContaining({ change: 'corrected', severity: 'substantive', note: expect.any(String) }),
    ]);
    const before = (await get('/v1/timeline?tag=stryker&asOf=2022-02-01T00:00:00Z')).body!.data as { summary: string; status: string }[];
    expect(before[0]).toMatchObject({ summary: expect.stringContaining('82nd Airborne'), status: 'live' });
    const notYet = (await get('/v1/timeline?tag=stryker&asOf=2022-01-01')).body!.data as unknown[];
    expect(notYet).toEqual([]);

    const detail = await get(`/v1/entries/${original.eventId}`);
    expect(detail.status).toBe(200);
    expect((detail.body!.history as { change: string }[]).map((h) => h.change)).toEqual(['created', 'corrected']);

    await project([entryRetracted(original, 'Withdrawn', { recordedAt: '2022-02-11T09:00:00Z' })]);
    expect((await get('/v1/timeline?tag=stryker')).body!.data).toEqual([]);
    const withRetracted = (await get('/v1/timeline?tag=stryker&includeRetracted=true')).body!.data as { status: string }[];
    expect(withRetracted.map((e) => e.status)).toEqual(['retracted']);
  });

  it('combines filters and finds "Peskov" by full-text search with a marked snippet', async () => {
    const peskov = statementIssued({ summary: 'Peskov says security talks are completed at this stage', tags: ['fts'] });
    const other = readinessRaised({ tags: ['fts'] });
    await project([peskov, other]);
    const found = (await get('/v1/timeline?q=Peskov&tag=fts')).body!.data as { id: string; snippet: { text: string; match: boolean }[] }[];
    expect(found.map((e) => e.id)).toEqual([peskov.eventId]);
    expect(found[0]!.snippet).toContainEqual({ text: 'Peskov', match: true });
    const combined = (await get('/v1/timeline?tag=fts&type=readiness.raised&country=us&actor=us-dod')).body!.data as { id: string }[];
    expect(combined.map((e) => e.id)).toEqual([other.eventId]);
    const none = (await get('/v1/timeline?tag=fts&type=readiness.raised&country=RU')).body!.data as unknown[];
    expect(none).toEqual([]);
  });

  it('filters by confirmation (timeline, stats, export) and names a bad value in problem+json', async () => {
    const confirmed = statementIssued({ tags: ['confirmation-check'] });
    const reported = readinessRaised({ tags: ['confirmation-check'], confirmation: 'reported' });
    await project([confirmed, reported]);
    const ids = async (qs: string) =>
      ((await get(`/v1/timeline?tag=confirmation-check${qs}`)).body!.data as { id: string }[]).map((e) => e.id);
    expect(await ids('&confirmation=reported')).toEqual([reported.eventId]);
    expect(await ids('&confirmation=confirmed')).toEqual([confirmed.eventId]);
    expect((await ids('&confirmation=confirmed,reported')).sort()).toEqual([confirmed.eventId, reported.eventId].sort());
    expect((await get('/v1/stats?tag=confirmation-check&confirmation=reported')).body!.total).toBe(1);
    const exported = await get('/v1/export?format=ndjson&tag=confirmation-check&confirmation=reported');
    expect(
      exported.text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual([reported.eventId]);
    expect(exported.res.headers.get('content-disposition')).toContain('reported');
    const bad = await get('/v1/timeline?confirmation=rumoured');
    expect(bad.status).toBe(400);
    expect(bad.res.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body).toMatchObject({ code: 'QUERY.INVALID_PARAMETER', errors: [{ path: 'confirmation' }] });
    // Documented: in the OpenAPI document of every filtered endpoint, with its two values.
    const openapi = (await get('/docs-json')).body as {
      paths: Record<string, { get: { parameters?: { name: string; schema?: { items?: { enum?: string[] } } }[] } }>;
    };
    for (const path of ['/v1/timeline', '/v1/stats', '/v1/export', '/v1/stream']) {
      const param = openapi.paths[path]!.get.parameters!.find((x) => x.name === 'confirmation');
      expect(param?.schema?.items?.enum).toEqual(['confirmed', 'reported']);
    }
  });

  it('serves an entry with its history, ETag and clear 404/400 answers', async () => {
    const e = readinessRaised({ tags: ['detail'] });
    await project([e]);
    const ok = await get(`/v1/entries/${e.eventId.toUpperCase()}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ entry: { id: e.eventId, sources: [expect.objectContaining({ outlet: 'US Department of Defense' })] } });
    expect(ok.body!.history).toEqual([expect.objectContaining({ version: 1, change: 'created', recordedTo: null })]);
    const cached = await get(`/v1/entries/${e.eventId}`, { 'If-None-Match': ok.res.headers.get('etag')! });
    expect(cached.status).toBe(304);
    const missing = await get('/v1/entries/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.res.headers.get('content-type')).toContain('application/problem+json');
    const bad = await get('/v1/entries/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [{ path: 'id' }] });
    const notKnownYet = await get(`/v1/entries/${e.eventId}?asOf=2021-01-01`);
    expect(notKnownYet.status).toBe(404);
  });

  it('counts entries per day and week, per type and per actor, with the same filters', async () => {
    const day = (d: string, make: typeof readinessRaised) => make({ occurredAt: `${d}T00:00:00Z`, tags: ['stats'] });
    await project([
      day('2022-02-14', readinessRaised),
      day('2022-02-14', statementIssued),
      day('2022-02-16', readinessRaised),
      day('2022-02-21', statementIssued),
    ]);
    const daily = await get('/v1/stats?tag=stats');
    expect(daily.status).toBe(200);
    expect(daily.body).toMatchObject({
      bucket: 'day',
      total: 4,
      totalsByType: { 'readiness.raised': 2, 'statement.issued': 2 },
      buckets: [
        { start: '2022-02-14', total: 2, byType: { 'readiness.raised': 1, 'statement.issued': 1 }, byActor: { 'us-dod': 1, kremlin: 1 } },
        { start: '2022-02-16', total: 1 },
        { start: '2022-02-21', total: 1 },
      ],
    });
    expect(daily.body!.actors).toEqual([
      { id: 'kremlin', name: 'Kremlin', count: 2 },
      { id: 'us-dod', name: 'US Department of Defense', count: 2 },
    ]);
    const weekly = await get('/v1/stats?tag=stats&bucket=week&type=readiness.raised');
    expect((weekly.body!.buckets as { start: string; total: number }[]).map((b) => [b.start, b.total])).toEqual([['2022-02-14', 2]]);
    expect((await get('/v1/stats?bucket=month')).status).toBe(400);
  });

  it('buckets by the same calendar day the entries display', async () => {
    const newYork = readinessRaised({ occurredAt: '2021-11-10T00:00:00Z', occurredTz: 'America/New_York', tags: ['zones'] });
    const moscow = statementIssued({
      occurredAt: '2022-02-23T22:00:00Z',
      occurredAtPrecision: 'hour',
      occurredTz: 'Europe/Moscow',
      tags: ['zones'],
    });
    await project([newYork, moscow]);
    const entries = (await get('/v1/timeline?tag=zones')).body!.data as { day: string; displayDate: string }[];
    expect(entries.map((e) => [e.day, e.displayDate])).toEqual([
      ['2021-11-10', '10 November 2021'],
      ['2022-02-24', '24 February 2022, 01:00 (Europe/Moscow)'],
    ]);
    const stats = (await get('/v1/stats?tag=zones')).body!.buckets as { start: string }[];
    expect(stats.map((b) => b.start)).toEqual(['2021-11-10', '2022-02-24']);
  });

  describe('exports', () => {
    const events = [
      readinessRaised({ tags: ['export'], occurredAt: '2022-01-24T00:00:00Z' }),
      statementIssued({
        tags: ['export'],
        occurredAt: '2022-02-10T06:00:00Z',
        occurredAtPrecision: 'hour',
        occurredUntil: '2022-02-20T18:00:00Z',
        summary: 'Russia and Belarus hold joint drills, "Allied Resolve", with 30,000 troops',
        sources: [],
      }),
    ];
    beforeAll(async () => {
      await project(events);
    });

    it('streams NDJSON, one entry per line, in timeline order', async () => {
      const { res, text } = await get('/v1/export?format=ndjson&tag=export');
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      // The file name says what was exported (issue 15).
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="timeline-export-\d{8}-\d{6}\.ndjson"$/);
      const lines = text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string });
      expect(lines.map((l) => l.id)).toEqual(events.map((e) => e.eventId));
    });

    it('streams CSV with a header and quoted fields', async () => {
      const { res, text } = await get('/v1/export?format=csv&tag=export&order=desc');
      expect(res.headers.get('content-type')).toContain('text/csv');
      const lines = text.split('\r\n');
      expect(lines[0]).toMatch(/^id,day,display_date,/);
      // The bytes start with a UTF-8 BOM (fetch's text() drops it), so Excel reads Cyrillic right.
      const bytes = Buffer.from(await (await fetch(`${base}/v1/export?format=csv&tag=export`)).arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(lines[1]).toContain(events[1]!.eventId);
      expect(lines[1]).toContain('"Russia and Belarus hold joint drills, ""Allied Resolve"", with 30,000 troops"');
      expect(lines[2]).toContain(events[0]!.eventId);
    });

    it('produces TimelineJS JSON that validates against the documented structure', async () => {
      const { res, text } = await get('/v1/export?format=timelinejs&tag=export');
      expect(res.headers.get('content-type')).toContain('application/json');
      const doc = JSON.parse(text) as { events: Record<string, unknown>[] };
      const validate = new Ajv({ allErrors: true, strict: true }).compile(TIMELINEJS_SCHEMA);
      expect(validate.errors ?? []).toEqual([]);
      expect(validate(doc)).toBe(true);
      // The validator is not a rubber stamp: a slide without a year, or an hour without a day, fails.
      expect(validate({ events: [{ unique_id: 'a', start_date: { month: 1 } }] })).toBe(false);
      expect(validate({ events: [{ unique_id: 'a', start_date: { year: 2022, hour: 5 } }] })).toBe(false);
      expect(doc.events.map((e) => e.unique_id)).toEqual(events.map((e) => e.eventId));
      expect(doc.events[0]).toMatchObject({
        start_date: { year: 2022, month: 1, day: 24 },
      });
      // An article is linked in the text, never put in `media` (TimelineJS showed a broken image; issue 15).
      expect(doc.events[0]!.media).toBeUndefined();
      expect(String((doc.events[0]!.text as { text: string }).text)).toContain('https://www.defense.gov/News/');
      expect(doc.events[0]!.start_date).not.toHaveProperty('hour');
      expect(doc.events[1]).toMatchObject({
        start_date: { year: 2022, month: 2, day: 10, hour: 6 },
        end_date: { year: 2022, month: 2, day: 20, hour: 18 },
      });
      expect(doc.events[1]).not.toHaveProperty('media');
    });

    it('rejects an unknown format before sending anything', async () => {
      const bad = await get('/v1/export?format=xlsx');
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ errors: [{ path: 'format' }] });
    });
  });

  it('publishes the event catalogue as JSON Schema and the API as OpenAPI', async () => {
    const schemas = await get('/v1/schemas');
    expect(schemas.status).toBe(200);
    expect(schemas.body).toMatchObject({ $id: 'urn:timeline:catalogue', types: { 'readiness.raised': { current: 2 } } });
    expect((await get('/v1/schemas?x=1')).status).toBe(400);
    const openapi = (await get('/docs-json')).body as { paths: Record<string, { get: { parameters?: { name: string }[] } }> };
    for (const path of ['/v1/timeline', '/v1/entries/{id}', '/v1/stats', '/v1/export', '/v1/schemas', '/v1/stream']) {
      expect(openapi.paths).toHaveProperty([path]);
    }
    const params = openapi.paths['/v1/timeline']!.get.parameters!.map((p) => p.name);
    expect(params).toEqual(
      expect.arrayContaining([
        'type',
        'actor',
        'country',
        'location',
        'tag',
        'story',
        'q',
        'from',
        'to',
        'asOf',
        'limit',
        'order',
        'cursor',
        'includeRetracted',
      ]),
    );
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['type=invasion.imagined', 'type'],
    ['from=2022-02-30', 'from'],
    ['to=yesterday', 'to'],
    ['asOf=2022-13-01T00:00:00Z', 'asOf'],
    ['order=sideways', 'order'],
    ['cursor=abc', 'cursor'],
    ['includeRetracted=maybe', 'includeRetracted'],
    ['country=Ukraine', 'country'],
    ['sort=occurred_at', 'sort'],
    ['limit=5&limit=6', 'limit'],
    ['from=2022-02-01&to=2022-01-01', 'to'],
  ])('rejects %s with 400 problem+json naming %s', async (qs, param) => {
    const { status, res, body } = await get(`/v1/timeline?${qs}`);
    expect(status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(body).toMatchObject({ code: 'QUERY.INVALID_PARAMETER' });
    expect((body!.errors as { path: string }[]).map((e) => e.path)).toContain(param);
  });
});

describe('READ_ACCESS=key', () => {
  const readerKey = 'reader-key-for-tests-0123456789';
  const { config } = testConfig({ READ_ACCESS: 'key', API_KEYS: `newsroom:reader:${hashApiKey(readerKey)}` });
  let drop: () => Promise<void>;
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    ({ drop } = await createTestDatabase(config));
    app = await createTimelineApiApp(config, logger);
    base = await listenAndLog(app, 0, '127.0.0.1', 'timeline-api', logger);
  });
  afterAll(async () => {
    await app?.close();
    await drop();
  });

  it.each(['/v1/timeline', '/v1/stats', '/v1/export', '/v1/schemas', '/v1/stream', '/v1/entries/00000000-0000-4000-8000-000000000000'])(
    '%s needs a reader key',
    async (path) => {
      const anonymous = await fetch(`${base}${path}`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ code: 'AUTH.MISSING_KEY' });
      const wrong = await fetch(`${base}${path}`, { headers: { 'X-API-Key': 'nope' } });
      expect(wrong.status).toBe(401);
    },
  );

  it('answers with a reader key', async () => {
    const res = await fetch(`${base}/v1/timeline`, { headers: { 'X-API-Key': readerKey } });
    expect(res.status).toBe(200);
  });
});

describe('CORS_ORIGINS', () => {
  const { config } = testConfig({ CORS_ORIGINS: 'https://newsroom.example' });
  let drop: () => Promise<void>;
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    ({ drop } = await createTestDatabase(config));
    app = await createTimelineApiApp(config, logger);
    base = await listenAndLog(app, 0, '127.0.0.1', 'timeline-api', logger);
  });
  afterAll(async () => {
    await app?.close();
    await drop();
  });

  it('allows reads from the listed origin only', async () => {
    const allowed = await fetch(`${base}/v1/timeline`, { headers: { Origin: 'https://newsroom.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://newsroom.example');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('ETag');
    const other = await fetch(`${base}/v1/timeline`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${base}/v1/stream`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://newsroom.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'last-event-id',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Last-Event-ID');
  });
});
