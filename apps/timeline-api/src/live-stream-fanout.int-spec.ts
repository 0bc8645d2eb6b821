import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { listenAndLog } from '@timeline/http';
import { createLogger } from '@timeline/observability';
import { TimelineProjectionWriter, notifyTimeline } from '@timeline/store';
import {
  createTestDatabase,
  openEventStream,
  positioned,
  readinessRaised,
  sleep,
  statementIssued,
  testConfig,
  waitFor,
  type EventStreamClient,
  type RawEvent,
} from '../../../test/support/index.js';
import { createTimelineApiApp } from './timeline-api.app.js';

const logger = createLogger('timeline-api', 'silent');
const SESSIONS = 12;
const entries = (c: EventStreamClient) =>
  c.events.filter((e) => e.event === 'entry').map((e) => (JSON.parse(e.data) as { entry: { id: string } }).entry.id);
const gauge = (metrics: string, kind: string) =>
  Number(new RegExp(`timeline_api_stream_reads\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? NaN);

/**
 * SSE fan-out (issue 13, item 5): sessions with the same filter share one read per wake-up, and the
 * process admits at most API_STREAM_MAX_TOTAL streams over all clients (503 + Retry-After beyond).
 */
describe('GET /v1/stream fan-out: shared reads and the process-wide cap', () => {
  const { config } = testConfig({ API_STREAM_MAX_PER_CLIENT: '50', API_STREAM_MAX_TOTAL: String(SESSIONS) });
  const writer = new TimelineProjectionWriter();
  let ds: DataSource;
  let drop: () => Promise<void>;
  let app: NestExpressApplication;
  let base: string;
  const clients: EventStreamClient[] = [];
  let next = 0;

  const project = async (events: RawEvent[]): Promise<void> => {
    const topic = config.kafka.eventsTopic;
    const from = next;
    next += events.length;
    await ds.transaction(async (m) => {
      const r = await writer.apply(m, 'live', positioned(events, { topic, partition: 0, offset: from }));
      await m.query(
        `INSERT INTO projector_offsets (projection, topic, partition, next_offset) VALUES ('live', $1, 0, $2)
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
        [topic, next],
      );
      await notifyTimeline(m, {
        projection: 'live',
        topic,
        partition: 0,
        fromOffset: String(from),
        toOffset: String(next),
        entryIds: r.entryIds,
      });
    });
  };

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    app = await createTimelineApiApp(config, logger);
    base = await listenAndLog(app, 0, '127.0.0.1', 'timeline-api', logger);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await app?.close();
    await drop();
  });

  it(`${SESSIONS} sessions on one filter: every one gets every change once, from fewer reads than sessions; the next one gets 503`, async () => {
    for (let i = 0; i < SESSIONS; i++) {
      const c = await openEventStream(`${base}/v1/stream?type=readiness.raised`);
      expect(c.status).toBe(200);
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.waitForEvent((e) => e.event === 'ready', 10_000, 'ready')));
    const before = await (await fetch(`${base}/metrics`)).text();

    const full = await openEventStream(`${base}/v1/stream`);
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('5');
    expect(full.problem).toMatchObject({ code: 'UNAVAILABLE.STREAMS_FULL' });

    const alerts = [readinessRaised(), readinessRaised(), readinessRaised()];
    await project([alerts[0]!, statementIssued()]);
    await project([alerts[1]!, alerts[2]!]);
    await waitFor(
      'every session to receive the three alerts',
      () => (clients.every((c) => entries(c).length >= 3) ? true : undefined),
      15_000,
      50,
    );
    await sleep(300);
    for (const c of clients) expect(entries(c)).toEqual(alerts.map((a) => a.eventId));

    const after = await (await fetch(`${base}/metrics`)).text();
    const reads = gauge(after, 'read') - gauge(before, 'read');
    const shared = gauge(after, 'shared') - gauge(before, 'shared');
    // One or two wake-ups (the two commits may coalesce; the safety poll may add one) for 12 sessions:
    // each wake-up is one read that the other 11 share, not 12 reads.
    expect(shared).toBeGreaterThanOrEqual(SESSIONS - 1);
    expect(reads).toBeLessThan(shared);

    // A closed session frees its place in the process-wide cap.
    clients.shift()!.close();
    let again: EventStreamClient | undefined;
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      await sleep(100);
      again = await openEventStream(`${base}/v1/stream`);
    }
    expect(again!.status).toBe(200);
    clients.push(again!);
  });
});
