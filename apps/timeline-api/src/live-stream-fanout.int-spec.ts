import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { listenAndLog } from '@timeline/http';
import { createLogger } from '@timeline/observability';
import {
  createTestDatabase,
  directProjector,
  metricValue,
  openEventStream,
  readinessRaised,
  statementIssued,
  testConfig,
  waitFor,
  type EventStreamClient,
  type RawEvent,
} from '../../../test/support/index.js';
import { createTimelineApiApp } from './timeline-api.app.js';

const logger = createLogger('timeline-api', 'silent');
const STREAMS = 12;

/** Many viewers of one API process (issue 13): one read per distinct filter per wake-up, and a total cap. */
describe('GET /v1/stream fan-out (in-process API, real Postgres LISTEN/NOTIFY)', () => {
  const { config } = testConfig({ API_STREAM_MAX_PER_CLIENT: '50', API_STREAM_MAX_TOTAL: String(STREAMS) });
  let ds: DataSource;
  let drop: () => Promise<void>;
  let app: NestExpressApplication;
  let base: string;
  let project: (events: RawEvent[], partition?: number) => Promise<void>;
  const clients: EventStreamClient[] = [];

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    project = directProjector(ds, config.kafka.eventsTopic);
    app = await createTimelineApiApp(config, logger);
    base = await listenAndLog(app, 0, '127.0.0.1', 'timeline-api', logger);
  });
  afterAll(async () => {
    for (const c of clients.splice(0)) c.close();
    await app?.close();
    await drop?.();
  });

  const reads = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return {
      queries: metricValue(text, 'timeline_api_stream_reads_total', { outcome: 'query' }),
      shared: metricValue(text, 'timeline_api_stream_reads_total', { outcome: 'shared' }),
    };
  };
  const received = (c: EventStreamClient) =>
    c.events.filter((e) => e.event === 'entry').map((e) => (JSON.parse(e.data) as { entry: { summary: string } }).entry.summary);

  it('streams with one filter share one read per wake-up, and each gets every change exactly once', async () => {
    // Ten viewers of the military filter, two of everything.
    for (let i = 0; i < STREAMS; i++) {
      const c = await openEventStream(`${base}/v1/stream${i < 10 ? '?type=readiness.raised' : ''}`);
      expect(c.status).toBe(200);
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.waitForEvent((e) => e.event === 'ready', 10_000, 'ready')));
    // Let the start-up reads finish, so every stream sits at the same position.
    await waitFor('idle streams', async () => ((await reads()).queries > 0 ? true : undefined), 10_000, 100);
    const before = await reads();

    await project([readinessRaised({ summary: 'Alert one' }), statementIssued({ summary: 'Statement one' })]);
    await Promise.all(
      clients.map((c, i) =>
        c.waitForEvent((e) => e.event === 'entry' && e.data.includes(i < 10 ? 'Alert one' : 'Statement one'), 10_000, 'the change'),
      ),
    );
    await project([readinessRaised({ summary: 'Alert two' })]);
    await Promise.all(
      clients.map((c) => c.waitForEvent((e) => e.event === 'entry' && e.data.includes('Alert two'), 10_000, 'the second change')),
    );

    const after = await reads();
    // Two distinct filters, two wake-ups: 4 queries when shared (one per stream and wake-up, 24, before).
    expect(after.queries - before.queries).toBeLessThanOrEqual(6);
    expect(after.shared - before.shared).toBeGreaterThanOrEqual(2 * STREAMS - 6);
    for (const [i, c] of clients.entries()) {
      expect(received(c)).toEqual(i < 10 ? ['Alert one', 'Alert two'] : ['Alert one', 'Statement one', 'Alert two']);
    }
  });

  it('refuses a stream beyond API_STREAM_MAX_TOTAL with 503 and Retry-After, and admits again when one closes', async () => {
    expect(clients).toHaveLength(STREAMS);
    const over = await openEventStream(`${base}/v1/stream`);
    expect(over.status).toBe(503);
    expect(over.problem).toMatchObject({ code: 'UNAVAILABLE.STREAM_CAPACITY' });
    expect((over.problem as { detail?: string }).detail).toMatch(/API_STREAM_MAX_TOTAL/);
    const retry = Number(over.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(5);
    expect(retry).toBeLessThanOrEqual(14);

    clients.pop()!.close();
    const again = await waitFor(
      'a free slot',
      async () => {
        const c = await openEventStream(`${base}/v1/stream`);
        if (c.status === 200) return c;
        c.close();
        return undefined;
      },
      10_000,
      100,
    );
    clients.push(again);
  });
});
