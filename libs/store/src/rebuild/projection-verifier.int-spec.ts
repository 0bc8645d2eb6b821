import type { DataSource } from 'typeorm';
import { ProjectionVersions, RebuildInProgressError, RebuildLock, TimelineProjectionWriter, verifyProjection } from '@timeline/store';
import { createTestDatabase, entryCorrected, entryRetracted, eventSeries, positioned, testConfig } from '../../../../test/support/index.js';

describe('verifyProjection (real Postgres)', () => {
  const { config } = testConfig();
  const schema = config.database.schema;
  let ds: DataSource;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    const writer = new TimelineProjectionWriter();
    const series = eventSeries(20, Date.parse('2022-01-20T00:00:00Z'));
    const batches = [
      positioned(series.slice(0, 10), { topic: 'ev', partition: 0, offset: 0 }),
      positioned([...series.slice(10), entryCorrected(series[3]!, { summary: 'Fixed' }), entryRetracted(series[12]!)], {
        topic: 'ev',
        partition: 1,
        offset: 0,
      }),
    ];
    for (const b of batches) {
      await ds.transaction(async (m) => {
        await writer.apply(m, 'live', b);
        const last = b.at(-1)!.position;
        await m.query(`INSERT INTO projector_offsets (projection, topic, partition, next_offset) VALUES ('live', $1, $2, $3)`, [
          last.topic,
          last.partition,
          String(Number(last.offset) + 1),
        ]);
      });
    }
  });
  afterAll(async () => {
    await drop();
  });

  const versionNames = async () => (await new ProjectionVersions(ds, schema).list()).map((v) => v.name);

  it('finds no divergence when the live version is what the log says, and removes its scratch version', async () => {
    const progress: [number, number][] = [];
    const report = await verifyProjection(ds, schema, { chunkSize: 4, onProgress: (p, t) => progress.push([p, t]) });
    expect(report.divergences).toEqual([]);
    expect(report.live.digest).toBe(report.reference.digest);
    expect(report.live).toMatchObject({ projection: 'live', entries: 20, versions: 22 });
    expect(report.live.days.map((d) => d.day)).toEqual(['2022-01-20']);
    expect(report.counts).toMatchObject({ read: 22, applied: 22 });
    expect(progress.at(-1)).toEqual([22, 22]);
    expect(await versionNames()).toEqual(['live']);
  });

  it('reports a tampered row day by day and leaves events beyond the live offsets out', async () => {
    // A row changed by hand (what a projector bug would do) on the 20th, and an archived event the
    // live version has not applied yet (beyond its offsets) — which must not count as a divergence.
    await ds.query(`UPDATE timeline_entries SET summary = 'tampered' WHERE projection = 'live' AND occurred_at = '2022-01-20T05:00:00Z'`);
    await ds.query(
      `INSERT INTO event_log (event_id, story_id, type, schema_version, occurred_at, recorded_at, envelope, source_topic, source_partition, source_offset)
       SELECT gen_random_uuid(), story_id, type, schema_version, occurred_at + interval '3 days', recorded_at, envelope, 'ev', 0, 99
       FROM event_log LIMIT 1`,
    );
    const report = await verifyProjection(ds, schema);
    expect(report.divergences).toEqual([
      {
        day: '2022-01-20',
        table: 'timeline_entries',
        left: { rows: 20, digest: expect.any(String) },
        right: { rows: 20, digest: expect.any(String) },
      },
    ]);
    expect(await versionNames()).toEqual(['live']);
  });

  it('compares with an existing version on request, and refuses to run beside a rebuild', async () => {
    await expect(verifyProjection(ds, schema, { against: 'nope' })).rejects.toThrow(/no projection version "nope"/);
    const lock = await RebuildLock.acquire(ds);
    try {
      await expect(verifyProjection(ds, schema)).rejects.toBeInstanceOf(RebuildInProgressError);
    } finally {
      await lock.release();
    }
  });
});
