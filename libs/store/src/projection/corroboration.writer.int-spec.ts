import type { DataSource } from 'typeorm';
import { compareChecksums, createProjectionPartitions, projectionChecksum, TimelineProjectionWriter } from '@timeline/store';
import {
  createTestDatabase,
  denialIssued,
  entryCorrected,
  entryMerged,
  entryRelated,
  entryRetracted,
  entrySplit,
  positioned,
  readinessRaised,
  testConfig,
  type RawEvent,
} from '../../../../test/support/index.js';

/** Issue 14 in the writer: merges, splits and relations as bitemporal versions, "given these events → these rows". */
describe('TimelineProjectionWriter: merges, splits, relations (real Postgres)', () => {
  const { config } = testConfig();
  const writer = new TimelineProjectionWriter();
  let ds: DataSource;
  let drop: () => Promise<void>;
  let offset = 0;
  const all: RawEvent[] = [];
  const apply = async (events: RawEvent[], projection = 'live') => {
    if (projection === 'live') all.push(...events);
    const r = await writer.applyCommitted(ds, projection, positioned(events, { topic: 'ev', partition: 0, offset }));
    offset += events.length;
    return r;
  };
  const entry = async (id: string) =>
    (await ds.query(`SELECT * FROM timeline_entries WHERE projection = 'live' AND entry_id = $1`, [id]))[0];
  const asOf = async (id: string, t: string) =>
    (
      await ds.query(
        `SELECT merged_into::text AS merged_into, jsonb_array_length(merged_reports) AS reports, report_count, independent_outlets
           FROM entry_versions WHERE projection = 'live' AND entry_id = $1 AND recorded_from <= $2 AND (recorded_to IS NULL OR recorded_to > $2)`,
        [id, t],
      )
    )[0];

  const report = (outlet: Record<string, unknown>, summary: string) =>
    readinessRaised({
      summary,
      recordedAt: '2022-01-24T18:00:00Z',
      sources: [{ role: 'reporting', url: `https://example.org/${summary.length}/${String(outlet.outlet)}`, ...outlet }],
    });
  const syndicated = report({ outlet: 'A News', originOutlet: 'AFP' }, 'Pentagon puts 8,500 troops on alert (A News)');
  const afp = report({ outlet: 'AFP' }, 'Pentagon puts 8,500 troops on high alert');
  const reuters = report({ outlet: 'Reuters' }, 'US puts 8,500 troops on heightened alert');

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    await apply([syndicated, afp, reuters]);
  });
  afterAll(async () => {
    await drop();
  });

  it('merges: the survivor accumulates the reports and counts independent outlets; merged entries point at it; asOf before shows them apart', async () => {
    const r = await apply([entryMerged(afp, [syndicated, reuters], { recordedAt: '2022-01-26T10:00:00Z' })]);
    expect(r.rejected).toEqual([]);
    const survivor = await entry(afp.eventId);
    expect(survivor).toMatchObject({ report_count: 3, independent_outlets: 2, merged_into: null, version: 2 });
    expect(survivor.merged_reports.map((m: { entryId: string }) => m.entryId)).toEqual([syndicated.eventId, reuters.eventId]);
    expect(await entry(reuters.eventId)).toMatchObject({ merged_into: afp.eventId, version: 2 });
    expect(await asOf(afp.eventId, '2022-01-25T00:00:00Z')).toMatchObject({ merged_into: null, reports: 0, report_count: 1 });
    expect(await asOf(reuters.eventId, '2022-01-25T00:00:00Z')).toMatchObject({ merged_into: null });
    expect(await asOf(reuters.eventId, '2022-01-26T12:00:00Z')).toMatchObject({ merged_into: afp.eventId });
  });

  it.each([
    ['an unknown entry', () => entryMerged(afp, [{ eventId: '00000000-0000-4000-8000-000000000001' }]), 'EVENT.MERGE_UNKNOWN_ENTRY'],
    ['an already merged entry as survivor', () => entryMerged(reuters, [afp]), 'EVENT.MERGE_CYCLE'],
    ['a survivor into one of its merged entries', () => entryMerged(syndicated, [afp]), 'EVENT.MERGE_CYCLE'],
    ['a merge of another story', () => entryMerged(afp, [syndicated], { storyId: 'another-story' }), 'EVENT.MERGE_CROSS_STORY'],
  ])('refuses %s with a reason code, changing nothing', async (_what, make, code) => {
    const before = await projectionChecksum(ds, 'live');
    const r = await apply([make()]);
    expect(r.rejected.map((x) => x.code)).toEqual([code]);
    expect(compareChecksums(before, await projectionChecksum(ds, 'live'))).toEqual([]);
  });

  it('refuses merging a retracted entry, and a split of an entry that is not merged into the survivor', async () => {
    const killed = readinessRaised();
    await apply([killed, entryRetracted(killed)]);
    expect((await apply([entryMerged(afp, [killed])])).rejected.map((x) => x.code)).toEqual(['EVENT.MERGE_RETRACTED_ENTRY']);
    const alone = readinessRaised();
    await apply([alone]);
    expect((await apply([entrySplit(afp, [alone])])).rejected.map((x) => x.code)).toEqual(['EVENT.SPLIT_NOT_MERGED']);
  });

  it('splits: the split report is an entry again and leaves the survivor; history keeps both', async () => {
    const r = await apply([entrySplit(afp, [reuters], { recordedAt: '2022-01-27T10:00:00Z' })]);
    expect(r.rejected).toEqual([]);
    expect(await entry(reuters.eventId)).toMatchObject({ merged_into: null, version: 3 });
    expect(await entry(afp.eventId)).toMatchObject({ report_count: 2, independent_outlets: 1 });
    expect(await asOf(afp.eventId, '2022-01-26T12:00:00Z')).toMatchObject({ report_count: 3 });
    const changes = await ds.query(`SELECT change FROM entry_versions WHERE projection = 'live' AND entry_id = $1 ORDER BY version`, [
      reuters.eventId,
    ]);
    expect(changes.map((c: { change: string }) => c.change)).toEqual(['created', 'merged', 'split']);
  });

  it('keeps merges through a later correction of the survivor', async () => {
    await apply([
      entryCorrected(afp, { summary: 'Pentagon puts about 8,500 troops on high alert' }, { recordedAt: '2022-01-28T10:00:00Z' }),
    ]);
    expect(await entry(afp.eventId)).toMatchObject({ report_count: 2, status: 'corrected' });
  });

  it('refreshes the survivor when a merged report is corrected, and drops a retracted report from it', async () => {
    const sources = [{ role: 'reporting', outlet: 'Reuters', url: 'https://example.org/corrected-copy' }];
    await apply([entryCorrected(syndicated, { summary: 'Corrected copy', sources }, { recordedAt: '2022-01-28T11:00:00Z' })]);
    const survivor = await entry(afp.eventId);
    expect(survivor.merged_reports.map((r: { summary: string }) => r.summary)).toEqual(['Corrected copy']);
    // The copy's origin is now Reuters: AFP (the survivor's own) + Reuters.
    expect(survivor).toMatchObject({ report_count: 2, independent_outlets: 2 });
    await apply([entryRetracted(syndicated, 'Not a copy of this story.', { recordedAt: '2022-01-28T12:00:00Z' })]);
    expect(await entry(afp.eventId)).toMatchObject({ report_count: 1, independent_outlets: 1 });
    expect(await entry(syndicated.eventId)).toMatchObject({ status: 'retracted', merged_into: afp.eventId });
    expect(await asOf(afp.eventId, '2022-01-28T11:30:00Z')).toMatchObject({ report_count: 2 });
  });

  it('stores relations from relatesTo and entry.related (to entries not projected yet too), and withdraws them', async () => {
    const later = readinessRaised();
    const denial = denialIssued({ relatesTo: [{ entryId: reuters.eventId, relation: 'denies' }] });
    await apply([denial, entryRelated(denial, later, 'contradicts')]);
    expect((await entry(denial.eventId)).relations).toEqual([
      { entryId: reuters.eventId, relation: 'denies' },
      { entryId: later.eventId, relation: 'contradicts' },
    ]);
    await apply([later, entryRelated(denial, later, 'contradicts', {}, true)]);
    expect((await entry(denial.eventId)).relations).toEqual([{ entryId: reuters.eventId, relation: 'denies' }]);
    // An entry.related whose fromId is not there yet waits like a correction and applies when it arrives.
    const early = readinessRaised();
    const pending = entryRelated(early, reuters, 'confirms');
    expect((await apply([pending])).deferred).toEqual([pending.eventId]);
    await apply([early]);
    expect((await entry(early.eventId)).relations).toEqual([{ entryId: reuters.eventId, relation: 'confirms' }]);
  });

  it('rebuilds the same projection from the same events, in one batch or event by event', async () => {
    for (const p of ['rebuild_a', 'rebuild_b']) await createProjectionPartitions(ds.manager, config.database.schema, p);
    await writer.applyCommitted(ds, 'rebuild_a', positioned(all, { topic: 'ev', partition: 0, offset: 0 }), { archive: false });
    for (const [i, e] of all.entries()) {
      await writer.applyCommitted(ds, 'rebuild_b', positioned([e], { topic: 'ev', partition: 0, offset: i }), { archive: false });
    }
    const live = await projectionChecksum(ds, 'live');
    expect(compareChecksums(live, await projectionChecksum(ds, 'rebuild_a'))).toEqual([]);
    expect(compareChecksums(live, await projectionChecksum(ds, 'rebuild_b'))).toEqual([]);
  });
});
