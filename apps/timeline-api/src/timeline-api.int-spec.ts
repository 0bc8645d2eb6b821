import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { createHttpApp } from '@timeline/http';
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
  type RawEvent,
} from '../../../test/support/index.js';
import { DASHBOARD_HELMET, serveDashboard } from './dashboard-assets.js';
import { TimelineApiModule } from './timeline-api.module.js';

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
    return { res, status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
  };

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    const logger = createLogger('timeline-api', 'silent');
    app = await createHttpApp(TimelineApiModule.forRoot(config, logger), {
      service: 'timeline-api',
      config,
      logger,
      helmetOptions: DASHBOARD_HELMET,
    });
    serveDashboard(app);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
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
