import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { listenAndLog } from '@timeline/http';
import { createLogger } from '@timeline/observability';
import {
  createTestDatabase,
  directProjector,
  metricValue,
  statementIssued,
  testConfig,
  type RawEvent,
} from '../../../../test/support/index.js';
import { createTimelineApiApp } from '../timeline-api.app.js';

const logger = createLogger('timeline-api', 'silent');
const N = 2_400;

/** Which words entry `i` carries: dense (1 in 5), sparse (1 in 100), rare (3 entries). */
function summaryOf(i: number): string {
  const words = [`Probe entry ${i}`];
  if (i % 5 === 0) words.push('pontoon bridges over the river');
  if (i % 100 === 7) words.push('marsh crossing');
  if (i === 11 || i === 1_500 || i === 2_399) words.push('zebra convoy');
  return words.join(', ');
}

/**
 * Search pages found by the probe (the next rows in timeline order) or by the GIN index: the same
 * pages either way, in both orders and across cursors, for dense, sparse and rare words (issue 17).
 */
describe('search pages: probe in timeline order, GIN fallback (in-process API, real Postgres)', () => {
  const { config } = testConfig();
  let ds: DataSource;
  let drop: () => Promise<void>;
  let app: NestExpressApplication;
  let base: string;
  const events: RawEvent[] = [];

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    const project = directProjector(ds, config.kafka.eventsTopic);
    const start = Date.parse('2022-01-01T00:00:00Z');
    for (let i = 0; i < N; i++) {
      const occurredAt = new Date(start + i * 60_000).toISOString();
      events.push(
        statementIssued({ occurredAt, occurredAtPrecision: 'minute', recordedAt: '2022-03-01T00:00:00Z', summary: summaryOf(i) }),
      );
    }
    for (let i = 0; i < N; i += 600) await project(events.slice(i, i + 600));
    await ds.query('ANALYZE timeline_entries');
    app = await createTimelineApiApp(config, logger);
    base = await listenAndLog(app, 0, '127.0.0.1', 'timeline-api', logger);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  const plans = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return {
      probe: metricValue(text, 'timeline_api_search_pages_total', { plan: 'probe' }),
      index: metricValue(text, 'timeline_api_search_pages_total', { plan: 'index' }),
    };
  };

  /** Every page of `q` in `order`, walked with cursors: the ids in the order served. */
  const walk = async (q: string, order: 'asc' | 'desc', limit: number) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await fetch(
        `${base}/v1/timeline?q=${encodeURIComponent(q)}&order=${order}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as { data: { id: string; snippet?: string }[]; page: { nextCursor: string | null } };
      for (const e of page.data) ids.push(e.id);
      cursor = page.page.nextCursor;
    } while (cursor);
    return ids;
  };

  const expected = (word: string, order: 'asc' | 'desc') => {
    const ids = events.filter((e) => String(e.summary).includes(word)).map((e) => String(e.eventId));
    return order === 'asc' ? ids : ids.reverse();
  };

  it.each([
    ['pontoon bridges', 'pontoon bridges', 'probe'],
    ['marsh', 'marsh crossing', 'index'],
    ['zebra', 'zebra convoy', 'index'],
  ] as const)('"%s": every match once, in timeline order, both orders (mostly by %s)', async (q, word, plan) => {
    for (const order of ['asc', 'desc'] as const) {
      const before = await plans();
      const ids = await walk(q, order, 50);
      expect(ids).toEqual(expected(word, order));
      const after = await plans();
      const used = { probe: after.probe - before.probe, index: after.index - before.index };
      // Dense words: every page is found in the window; sparse and rare ones fall back to the index
      // (a last page may be the rest of the timeline, found by the probe).
      if (plan === 'probe') expect(used).toEqual({ probe: Math.ceil(ids.length / 50), index: 0 });
      else expect(used.index).toBeGreaterThan(0);
    }
  });

  it('serves the highlighted snippet on probed pages as on indexed ones', async () => {
    const res = await fetch(`${base}/v1/timeline?q=${encodeURIComponent('pontoon bridges')}&limit=5`);
    const page = (await res.json()) as { data: { snippet?: { text: string; match: boolean }[] }[] };
    expect(page.data).toHaveLength(5);
    for (const e of page.data) {
      expect(e.snippet?.filter((s) => s.match).map((s) => s.text.toLowerCase())).toEqual(['pontoon', 'bridges']);
    }
  });

  it('a filter and a search together: the window is taken after the filter', async () => {
    const res = await fetch(`${base}/v1/timeline?q=zebra&from=2022-01-01T10:00:00Z&limit=50`);
    const page = (await res.json()) as { data: { id: string }[] };
    // Entry 11 (00:11) is before `from`; 1,500 and 2,399 are after it.
    expect(page.data.map((e) => e.id)).toEqual([String(events[1_500]!.eventId), String(events[2_399]!.eventId)]);
  });
});
