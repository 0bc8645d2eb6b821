import type { DataSource } from 'typeorm';
import { EventLogReplay, TimelineProjectionWriter, parseReplayWindow, type ReplayQuery, type ReplayWindow } from '@timeline/store';
import {
  createTestDatabase,
  entryCorrected,
  positioned,
  readinessRaised,
  readinessRaisedV1,
  statementIssued,
  testConfig,
} from '../../../../test/support/index.js';

describe('EventLogReplay (real Postgres)', () => {
  const { config } = testConfig();
  let ds: DataSource;
  let drop: () => Promise<void>;
  const at = (d: string, h: number) => `${d}T${String(h).padStart(2, '0')}:00:00Z`;
  // Arrival (log) order differs from chronological order on purpose.
  const e1 = statementIssued({ occurredAt: at('2022-01-24', 10), occurredAtPrecision: 'hour', recordedAt: at('2022-01-24', 11) });
  const e2 = readinessRaised({ occurredAt: at('2022-01-20', 8), occurredAtPrecision: 'hour', recordedAt: at('2022-01-25', 9) });
  const e3 = readinessRaisedV1({ occurredAt: at('2022-01-26', 23), occurredAtPrecision: 'hour', recordedAt: at('2022-01-27', 1) });
  const e4 = statementIssued({ occurredAt: at('2022-01-27', 0), occurredAtPrecision: 'hour', recordedAt: at('2022-01-27', 2) });
  const e5 = entryCorrected(e1, { summary: 'Fixed' }, { occurredAt: at('2022-01-25', 13), recordedAt: at('2022-01-25', 13) });
  const e6 = statementIssued({ occurredAt: at('2022-01-19', 23), occurredAtPrecision: 'hour', recordedAt: at('2022-01-20', 0) });

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    const writer = new TimelineProjectionWriter();
    await writer.applyCommitted(ds, 'live', positioned([e1, e2, e3], { topic: 'ev', partition: 1, offset: 5 }));
    await writer.applyCommitted(ds, 'live', positioned([e4, e5, e6], { topic: 'ev', partition: 0, offset: 9 }));
  });
  afterAll(async () => {
    await drop();
  });

  const window = (input: { from?: string; to?: string; asOf?: string }): ReplayWindow => {
    const r = parseReplayWindow(input);
    if ('problems' in r) throw new Error(JSON.stringify(r.problems));
    return r.window;
  };
  const ids = async (q: ReplayQuery) => {
    const out: string[] = [];
    for await (const r of new EventLogReplay(ds).events({ pageSize: 2, ...q })) out.push(r.event.eventId);
    return out;
  };

  it('returns exactly a date window (to = whole day) in chronological order, across pages', async () => {
    expect(await ids(window({ from: '2022-01-20', to: '2022-01-26' }))).toEqual([e2, e1, e5, e3].map((e) => e.eventId));
    expect(await ids({})).toEqual([e6, e2, e1, e5, e3, e4].map((e) => e.eventId));
  });

  it('replays in log order (topic, partition, offset) on request', async () => {
    expect(await ids({ order: 'log' })).toEqual([e4, e5, e6, e1, e2, e3].map((e) => e.eventId));
  });

  it('filters by type and actor, and upcasts old versions', async () => {
    const got: { id: string; v: number; payload: unknown }[] = [];
    for await (const r of new EventLogReplay(ds).events({ types: ['readiness.raised'] })) {
      got.push({ id: r.event.eventId, v: r.event.schemaVersion, payload: r.event.payload });
    }
    expect(got.map((g) => g.id)).toEqual([e2.eventId, e3.eventId]);
    // e3 was archived as v1 and comes out as the current v2.
    expect(got[1]!.v).toBe(2);
    expect(await ids({ actors: ['kremlin'] })).toEqual([e6, e1, e4].map((e) => e.eventId));
    expect(await ids({ actors: ['nobody'] })).toEqual([]);
  });

  it('with asOf, keeps only what had been recorded by then ("what did we know on 25 January at noon")', async () => {
    expect(await ids(window({ from: '2022-01-20', to: '2022-01-26', asOf: '2022-01-25T12:00:00Z' }))).toEqual(
      [e2, e1].map((e) => e.eventId),
    );
    expect(await ids(window({ asOf: '2022-01-25T09:00:00Z' }))).toEqual([e6, e2, e1].map((e) => e.eventId));
  });

  it('reports archived envelopes the catalogue no longer accepts instead of failing', async () => {
    await ds.query(`UPDATE event_log SET envelope = envelope - 'summary' WHERE event_id = $1`, [e4.eventId]);
    const bad: string[] = [];
    const out: string[] = [];
    for await (const r of new EventLogReplay(ds).events({}, (u) => bad.push(`${u.eventId}@${u.position.partition}:${u.position.offset}`))) {
      out.push(r.event.eventId);
    }
    expect(bad).toEqual([`${e4.eventId}@0:9`]);
    expect(out).toHaveLength(5);
  });
});
