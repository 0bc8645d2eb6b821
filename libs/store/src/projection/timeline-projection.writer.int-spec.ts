import type { DataSource, QueryRunner } from 'typeorm';
import { createProjectionPartitions, TimelineProjectionWriter } from '@timeline/store';
import {
  createTestDatabase,
  decodeEvent,
  entryCorrected,
  entryRetracted,
  positioned,
  readinessRaised,
  readinessRaisedV1,
  statementIssued,
  testConfig,
} from '../../../../test/support/index.js';

/** "Given these events → these rows", on a real Postgres schema of its own. */
describe('TimelineProjectionWriter (real Postgres)', () => {
  const { config } = testConfig();
  const writer = new TimelineProjectionWriter();
  let ds: DataSource;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
  });
  afterAll(async () => {
    await drop();
  });

  // Kafka offsets only grow: every call gets fresh, increasing positions unless it redelivers on purpose.
  let nextOffset = 1000;
  const at = (n: number, partition = 0) => {
    const offset = nextOffset;
    nextOffset += n;
    return { topic: 'ev', partition, offset };
  };

  const count = async (sql: string, params: unknown[] = []) => Number((await ds.query(sql, params))[0].n);
  const entry = async (id: string, projection = 'live') =>
    (await ds.query(`SELECT * FROM timeline_entries WHERE projection = $1 AND entry_id = $2`, [projection, id]))[0];
  const versions = async (id: string, projection = 'live') =>
    ds.query(`SELECT * FROM entry_versions WHERE projection = $1 AND entry_id = $2 ORDER BY version`, [projection, id]);
  /** The state of an entry as known at recorded time T (what `?asOf=T` answers). */
  const asOf = async (id: string, t: string) =>
    (
      await ds.query(
        `SELECT version, summary, status FROM entry_versions
         WHERE projection = 'live' AND entry_id = $1 AND recorded_from <= $2 AND (recorded_to IS NULL OR recorded_to > $2)`,
        [id, t],
      )
    )[0];

  it('creates one entry and one version per event, with filter columns, CAMEO code and full-text search', async () => {
    const alert = readinessRaised();
    const peskov = statementIssued();
    const r = await writer.applyCommitted(ds, 'live', positioned([alert, peskov], { topic: 'ev', partition: 2, offset: 40 }));
    expect(r.appended.sort()).toEqual([alert.eventId, peskov.eventId].sort());
    expect(r.applied).toEqual([alert.eventId, peskov.eventId]);
    expect(r.entryIds.sort()).toEqual([alert.eventId, peskov.eventId].sort());

    const a = await entry(alert.eventId);
    expect(a).toMatchObject({
      type: 'readiness.raised',
      cameo_code: '152',
      status: 'live',
      version: 1,
      actor_ids: ['us-dod'],
      countries: ['US'],
      location_names: ['Washington'],
      tags: ['nato', 'us-troops'],
      source_partition: 2,
      source_offset: '40',
    });
    expect(a.payload).toEqual({ forceSize: 8500, unit: 'NATO Response Force', noticePeriodDaysBefore: 10, noticePeriodDaysAfter: 5 });
    const p = await entry(peskov.eventId);
    expect(p).toMatchObject({ cameo_code: '010', countries: ['RU'], source_offset: '41' });

    const found = await ds.query(
      `SELECT entry_id FROM timeline_entries WHERE projection = 'live' AND search @@ plainto_tsquery('english', 'Peskov')`,
    );
    expect(found.map((x: { entry_id: string }) => x.entry_id)).toEqual([peskov.eventId]);

    const [v1] = await versions(alert.eventId);
    expect(v1).toMatchObject({ version: 1, change: 'created', status: 'live', recorded_to: null, event_id: alert.eventId });
    expect(v1.recorded_from.toISOString()).toBe('2022-01-24T18:00:00.000Z');

    const log = await ds.query(`SELECT source_topic, source_partition, source_offset FROM event_log WHERE event_id = $1`, [peskov.eventId]);
    expect(log).toEqual([{ source_topic: 'ev', source_partition: 2, source_offset: '41' }]);
  });

  it('archives the envelope as received and projects it upcast to the current version', async () => {
    const old = readinessRaisedV1();
    await writer.applyCommitted(ds, 'live', positioned([old], at(1)));
    const [log] = await ds.query(`SELECT schema_version, envelope FROM event_log WHERE event_id = $1`, [old.eventId]);
    expect(log.schema_version).toBe(1);
    expect(log.envelope.payload).toEqual({ forceSize: 8500, noticePeriod: '5 days' });
    const e = await entry(old.eventId);
    expect(e.schema_version).toBe(2);
    expect(e.payload).toEqual({ forceSize: 8500, noticePeriodDaysAfter: 5 });
  });

  it('changes nothing when the same events are applied again (redelivery) or twice in one call', async () => {
    const events = [readinessRaised(), statementIssued()];
    const pos = at(2);
    const first = await writer.applyCommitted(ds, 'live', positioned(events, pos));
    expect(first.applied).toHaveLength(2);
    const snapshot = await ds.query(`SELECT * FROM entry_versions WHERE entry_id = ANY($1) ORDER BY entry_id`, [
      events.map((e) => e.eventId),
    ]);

    const again = await writer.applyCommitted(ds, 'live', positioned([...events, events[0]!], pos));
    expect(again).toMatchObject({ appended: [], applied: [], entryIds: [] });
    expect(again.duplicates.sort()).toEqual([events[0]!.eventId, ...events.map((e) => e.eventId)].sort());
    expect(
      await ds.query(`SELECT * FROM entry_versions WHERE entry_id = ANY($1) ORDER BY entry_id`, [events.map((e) => e.eventId)]),
    ).toEqual(snapshot);
    expect(await count(`SELECT count(*) AS n FROM event_log WHERE event_id = ANY($1)`, [events.map((e) => e.eventId)])).toBe(2);
  });

  it('a correction adds version 2 and keeps version 1 reachable by recorded time; a retraction hides the entry', async () => {
    const target = readinessRaised({ recordedAt: '2022-01-24T18:00:00Z' });
    await writer.applyCommitted(ds, 'live', positioned([target], at(1)));
    const fix = entryCorrected(
      target,
      { summary: 'Pentagon puts about 8,500 troops on alert; notice cut from ten to five days', payload: { forceSize: 8600 } },
      { recordedAt: '2022-01-25T10:00:00Z' },
    );
    const fixAt = at(1);
    const r = await writer.applyCommitted(ds, 'live', positioned([fix], fixAt));
    expect(r.applied).toEqual([fix.eventId]);
    expect(r.entryIds).toEqual([target.eventId]);

    const e = await entry(target.eventId);
    expect(e).toMatchObject({
      version: 2,
      status: 'corrected',
      summary: expect.stringContaining('ten to five days'),
      source_offset: String(fixAt.offset),
    });
    // Only the named payload key changes; the rest of the payload is kept.
    expect(e.payload).toMatchObject({ forceSize: 8600, unit: 'NATO Response Force', noticePeriodDaysAfter: 5 });
    expect(e.updated_at.toISOString()).toBe('2022-01-25T10:00:00.000Z');
    expect(e.recorded_at.toISOString()).toBe('2022-01-24T18:00:00.000Z');

    const [v1, v2] = await versions(target.eventId);
    expect(v1.recorded_to.toISOString()).toBe('2022-01-25T10:00:00.000Z');
    expect(v2).toMatchObject({
      version: 2,
      change: 'corrected',
      status: 'corrected',
      correction_severity: 'substantive',
      event_id: fix.eventId,
    });
    expect(v2.change_note).toBe('An earlier version misstated a detail.');
    expect(v2.recorded_from.toISOString()).toBe('2022-01-25T10:00:00.000Z');

    expect(await asOf(target.eventId, '2022-01-24T20:00:00Z')).toMatchObject({ version: 1, summary: target.summary });
    expect(await asOf(target.eventId, '2022-01-25T11:00:00Z')).toMatchObject({ version: 2, status: 'corrected' });
    expect(await asOf(target.eventId, '2022-01-24T12:00:00Z')).toBeUndefined();

    const kill = entryRetracted(target, 'Could not be confirmed', { recordedAt: '2022-01-26T10:00:00Z' });
    await writer.applyCommitted(ds, 'live', positioned([kill], at(1)));
    expect(await entry(target.eventId)).toMatchObject({ version: 3, status: 'retracted', summary: expect.stringContaining('ten to five') });
    const all = await versions(target.eventId);
    expect(all.map((v: { change: string }) => v.change)).toEqual(['created', 'corrected', 'retracted']);
    expect(all[2].change_note).toBe('Could not be confirmed');
    expect(await asOf(target.eventId, '2022-01-25T11:00:00Z')).toMatchObject({ version: 2, status: 'corrected' });
    expect(await asOf(target.eventId, '2022-01-27T00:00:00Z')).toMatchObject({ version: 3, status: 'retracted' });
    // A later correction of a killed entry is kept in history but the kill stands.
    const late = entryCorrected(target, { summary: 'Late fix' }, { recordedAt: '2022-01-27T10:00:00Z' });
    await writer.applyCommitted(ds, 'live', positioned([late], at(1)));
    expect(await entry(target.eventId)).toMatchObject({ version: 4, status: 'retracted', summary: 'Late fix' });
  });

  it('corrections in one batch chain in order, and a correction may change the time (re-sorting the entry)', async () => {
    const target = statementIssued({ occurredAt: '2022-02-22T00:00:00Z' });
    const c1 = entryCorrected(target, { occurredAt: '2022-02-21T00:00:00Z' }, { recordedAt: '2022-02-23T00:00:00Z' });
    const c2 = entryCorrected(target, { summary: 'Second fix' }, { recordedAt: '2022-02-24T00:00:00Z' });
    const r = await writer.applyCommitted(ds, 'live', positioned([target, c1, c2], at(3)));
    expect(r.applied).toEqual([target.eventId, c1.eventId, c2.eventId]);
    const e = await entry(target.eventId);
    expect(e.version).toBe(3);
    expect(e.occurred_at.toISOString()).toBe('2022-02-21T00:00:00.000Z');
    expect(e.summary).toBe('Second fix');
    const vs = await versions(target.eventId);
    expect(vs.map((v: { recorded_to: Date | null }) => v.recorded_to?.toISOString() ?? null)).toEqual([
      '2022-02-23T00:00:00.000Z',
      '2022-02-24T00:00:00.000Z',
      null,
    ]);
  });

  it('keeps a correction that arrives before its target and applies it when the target arrives', async () => {
    const target = readinessRaised({ recordedAt: '2022-01-24T18:00:00Z' });
    const early = entryCorrected(target, { summary: 'Corrected before it was seen' }, { recordedAt: '2022-01-25T00:00:00Z' });
    const earlyAt = at(1, 1);
    const r1 = await writer.applyCommitted(ds, 'live', positioned([early], earlyAt));
    expect(r1).toMatchObject({ applied: [], deferred: [early.eventId], entryIds: [] });
    expect(await count(`SELECT count(*) AS n FROM pending_corrections WHERE event_id = $1`, [early.eventId])).toBe(1);
    // Redelivering the early correction while it waits does not duplicate it.
    expect((await writer.applyCommitted(ds, 'live', positioned([early], earlyAt))).duplicates).toEqual([early.eventId]);

    const targetAt = at(1, 0);
    const r2 = await writer.applyCommitted(ds, 'live', positioned([target], targetAt));
    expect(r2).toMatchObject({ applied: [target.eventId], resolvedPending: [early.eventId], entryIds: [target.eventId] });
    expect(await count(`SELECT count(*) AS n FROM pending_corrections WHERE target_event_id = $1`, [target.eventId])).toBe(0);
    expect(await entry(target.eventId)).toMatchObject({ version: 2, status: 'corrected', summary: 'Corrected before it was seen' });
    const [v1, v2] = await versions(target.eventId);
    expect(v1.recorded_to.toISOString()).toBe('2022-01-25T00:00:00.000Z');
    // The version became visible with the target's message: that is its position.
    expect(v2).toMatchObject({ event_id: early.eventId, source_partition: 0, source_offset: String(targetAt.offset) });
  });

  it('applies a correction that precedes its target within the same batch', async () => {
    const target = statementIssued();
    const kill = entryRetracted(target);
    const r = await writer.applyCommitted(ds, 'live', positioned([kill, target], at(2)));
    expect(r.applied).toEqual([target.eventId, kill.eventId]);
    expect(r.deferred).toEqual([]);
    expect(await entry(target.eventId)).toMatchObject({ version: 2, status: 'retracted' });
  });

  it('rejects a correction that would make its entry invalid, and writes nothing for it', async () => {
    const target = readinessRaised();
    await writer.applyCommitted(ds, 'live', positioned([target], at(1)));
    const bad = entryCorrected(target, { payload: { forceSize: -5 } });
    const backwards = entryCorrected(target, { occurredUntil: '2020-01-01T00:00:00Z' });
    const r = await writer.applyCommitted(ds, 'live', positioned([bad, backwards], at(2)));
    expect(r.applied).toEqual([]);
    expect(r.rejected.map((x) => [x.eventId, x.code])).toEqual([
      [bad.eventId, 'EVENT.INVALID_CORRECTION'],
      [backwards.eventId, 'EVENT.INVALID_CORRECTION'],
    ]);
    expect(r.rejected[0]!.message).toContain('/payload/forceSize');
    expect(r.rejected[1]!.message).toContain('EVENT.INVALID_DATES');
    expect(await entry(target.eventId)).toMatchObject({ version: 1, status: 'live' });
  });

  it('rebuilds an identical timeline into another projection version from event_log (archive off)', async () => {
    await createProjectionPartitions(ds.manager, config.database.schema, 'rebuild_1');
    const rows: { envelope: Record<string, unknown>; source_topic: string; source_partition: number; source_offset: string }[] =
      await ds.query(
        `SELECT envelope, source_topic, source_partition, source_offset::text AS source_offset FROM event_log
       ORDER BY source_topic, source_partition, source_offset, event_id`,
      );
    const input = rows.map((r) => ({
      event: decodeEvent(r.envelope),
      original: r.envelope,
      position: { topic: r.source_topic, partition: r.source_partition, offset: r.source_offset },
    }));
    const r = await writer.applyCommitted(ds, 'rebuild_1', input, { archive: false });
    expect(r.appended).toEqual([]);
    expect(r.applied.length).toBeGreaterThan(0);
    const shape = (projection: string) =>
      ds.query(
        `SELECT entry_id, version, status, summary, occurred_at, search_text FROM timeline_entries WHERE projection = $1
         ORDER BY occurred_at, recorded_at, entry_id`,
        [projection],
      );
    expect((await shape('rebuild_1')).map((e: { entry_id: string }) => e.entry_id)).toEqual(
      (await shape('live')).map((e: { entry_id: string }) => e.entry_id),
    );
    expect(await shape('rebuild_1')).toEqual(await shape('live'));
  });

  it('refuses to run outside a transaction', async () => {
    await expect(writer.apply(ds.manager, 'live', positioned([readinessRaised()]))).rejects.toThrow(/open transaction/);
  });

  describe('a target and its early correction committing concurrently on two partitions', () => {
    const open = async (): Promise<QueryRunner> => {
      const qr = ds.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      return qr;
    };

    it.each([
      ['target first', true],
      ['correction first', false],
    ])('%s: the correction is applied, never stranded in pending_corrections', async (_name, targetFirst) => {
      const target = readinessRaised();
      const fix = entryCorrected(target, { summary: 'Concurrent fix' });
      const a = await open();
      const b = await open();
      try {
        const [first, second] = targetFirst ? [a, b] : [b, a];
        const firstEvents = positioned([targetFirst ? target : fix], at(1, targetFirst ? 0 : 1));
        const secondEvents = positioned([targetFirst ? fix : target], at(1, targetFirst ? 1 : 0));
        await writer.apply(first, 'live', firstEvents);
        // The second transaction blocks on the pending-corrections lock until the first commits.
        const secondDone = writer.apply(second, 'live', secondEvents);
        await new Promise((r) => setTimeout(r, 300));
        await first.commitTransaction();
        await secondDone;
        await second.commitTransaction();
      } finally {
        await a.release();
        await b.release();
      }
      expect(await entry(target.eventId)).toMatchObject({ version: 2, summary: 'Concurrent fix' });
      expect(await count(`SELECT count(*) AS n FROM pending_corrections WHERE target_event_id = $1`, [target.eventId])).toBe(0);
    });
  });
});
