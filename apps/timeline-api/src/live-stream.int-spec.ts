import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { listenAndLog } from '@timeline/http';
import { createLogger } from '@timeline/observability';
import {
  createTestDatabase,
  directProjector,
  entryCorrected,
  entryRetracted,
  openEventStream,
  readinessRaised,
  sleep,
  statementIssued,
  testConfig,
  waitFor,
  type EventStreamClient,
  type RawEvent,
  type SseMessage,
} from '../../../test/support/index.js';
import { createTimelineApiApp } from './timeline-api.app.js';

const logger = createLogger('timeline-api', 'silent');

interface EntryMessage {
  change: string;
  entry: { id: string; summary: string };
}
const entryOf = (e: SseMessage) => JSON.parse(e.data) as EntryMessage;
const entryIds = (c: EventStreamClient) => c.events.filter((e) => e.event === 'entry').map((e) => entryOf(e).entry.id);

/** SSE over LISTEN/NOTIFY, fed the way the projector writes: rows + offsets + NOTIFY in one transaction. */
describe('GET /v1/stream (in-process API, real Postgres LISTEN/NOTIFY)', () => {
  const { config } = testConfig({ API_STREAM_MAX_PER_CLIENT: '3', API_STREAM_HEARTBEAT_SECONDS: '1' });
  let ds: DataSource;
  let project: (events: RawEvent[], partition?: number) => Promise<void>;
  let drop: () => Promise<void>;
  let app: NestExpressApplication;
  let base: string;
  const clients: EventStreamClient[] = [];

  const stream = async (query = '', headers: Record<string, string> = {}) => {
    const c = await openEventStream(`${base}/v1/stream${query}`, headers);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    project = directProjector(ds, config.kafka.eventsTopic);
    app = await createTimelineApiApp(config, logger);
    base = await listenAndLog(app, 0, '127.0.0.1', 'timeline-api', logger);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await app?.close();
    await drop();
  });

  it('delivers an entry applied after the client connected', async () => {
    const c = await stream();
    expect(c.status).toBe(200);
    expect(c.headers.get('content-type')).toContain('text/event-stream');
    await c.waitForEvent((e) => e.event === 'ready', 10_000, 'ready');
    const alert = readinessRaised();
    await project([alert]);
    const got = await c.waitForEvent((e) => e.event === 'entry', 15_000, 'the entry');
    expect(entryOf(got)).toMatchObject({ change: 'created', entry: { id: alert.eventId } });
    expect(got.id).toEqual(expect.any(String));
    // Delivered through the process's one LISTEN connection (the 5 s safety poll is only a fallback).
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/timeline_api_stream_listener_up({[^}]*})? 1\b/);
    expect(metrics).toMatch(/timeline_api_stream_clients({[^}]*})? [1-9]/);
  });

  it('resumes with Last-Event-ID: everything missed across partitions, nothing twice', async () => {
    const first = await stream();
    await first.waitForEvent((e) => e.event === 'ready', 10_000, 'ready');
    const early = [statementIssued(), readinessRaised()];
    await project(early, 1);
    await first.waitForEvent(() => entryIds(first).length === 2, 15_000, 'two entries');
    const lastId = first.lastEventId()!;
    first.close();

    const missed = [readinessRaised(), statementIssued(), readinessRaised()];
    await project([missed[0]!], 0);
    await project([missed[1]!, missed[2]!], 2);
    const resumed = await stream('', { 'Last-Event-ID': lastId });
    await resumed.waitForEvent(() => entryIds(resumed).length >= 3, 15_000, 'three missed entries');
    const later = readinessRaised();
    await project([later], 1);
    await resumed.waitForEvent(() => entryIds(resumed).includes(later.eventId), 15_000, 'the new entry');
    await sleep(300);
    expect(entryIds(resumed).sort()).toEqual([...missed, later].map((e) => e.eventId).sort());
  });

  it('resumes from the streamPosition of a timeline page', async () => {
    const page = (await (await fetch(`${base}/v1/timeline?limit=1`)).json()) as { streamPosition: string };
    const after = statementIssued();
    await project([after], 0);
    const c = await stream(`?lastEventId=${encodeURIComponent(page.streamPosition)}`);
    await c.waitForEvent((e) => e.event === 'entry', 15_000, 'the entry after the page');
    await sleep(300);
    expect(entryIds(c)).toEqual([after.eventId]);
  });

  it('applies the timeline filters and reports corrections and retractions of matching entries', async () => {
    const c = await stream('?type=statement.issued&tag=kremlin');
    await c.waitForEvent((e) => e.event === 'ready', 10_000, 'ready');
    const statement = statementIssued();
    const other = readinessRaised();
    await project([other, statement]);
    await project([entryCorrected(statement, { summary: 'Kremlin says the US escalates tensions' }), entryRetracted(statement)]);
    await c.waitForEvent(() => c.events.filter((e) => e.event === 'entry').length >= 3, 15_000, 'created, corrected, retracted');
    expect(c.events.filter((e) => e.event === 'entry').map((e) => [entryOf(e).entry.id, entryOf(e).change])).toEqual([
      [statement.eventId, 'created'],
      [statement.eventId, 'corrected'],
      [statement.eventId, 'retracted'],
    ]);
  });

  it('sends heartbeats as comment lines', async () => {
    const c = await stream();
    await c.waitForEvent((e) => e.event === 'ready', 10_000, 'ready');
    await waitFor('a heartbeat comment', () => (c.comments.includes('heartbeat') ? true : undefined), 10_000, 100);
  });

  it('caps concurrent streams per client with 429 problem+json', async () => {
    const open = await Promise.all([stream(), stream(), stream()]);
    expect(open.map((c) => c.status)).toEqual([200, 200, 200]);
    const fourth = await stream();
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('retry-after')).toBe('10');
    expect(fourth.problem).toMatchObject({ code: 'RATE_LIMITED' });
    open[0]!.close();
    // The slot frees when the server sees the connection close.
    let again: EventStreamClient | undefined;
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      await sleep(100);
      again = await stream();
    }
    expect(again!.status).toBe(200);
  });

  it.each([
    ['?lastEventId=not-a-token', {}, 'lastEventId'],
    ['', { 'Last-Event-ID': 'eyJ2IjoxfQ.AAAA' }, 'Last-Event-ID'],
    ['?type=nope.never', {}, 'type'],
    ['?asOf=2022-01-01', {}, 'asOf'],
  ])('rejects %s %j naming %s', async (query, headers, param) => {
    const c = await stream(query, headers);
    expect(c.status).toBe(400);
    expect((c.problem as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain(param);
  });
});
