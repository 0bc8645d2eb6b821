import type { DataSource } from 'typeorm';
import { ProjectionVersions } from '@timeline/store';
import { createTestDatabase, testConfig } from '../../../../test/support/index.js';

describe('ProjectionVersions.create while the live projector writes (real Postgres)', () => {
  const { config } = testConfig();
  const schema = config.database.schema;
  let ds: DataSource;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
  });
  afterAll(async () => {
    await drop();
  });

  it('never deadlocks with a live batch that writes entry_versions, then timeline_entries', async () => {
    // A live batch's lock order: the pointer FOR SHARE, then the read-model parents as the writer
    // touches them. Creating a version's partitions takes each parent ACCESS EXCLUSIVE; before the
    // fix it took timeline_entries first and then waited for entry_versions, while the batch waited
    // for timeline_entries: PostgreSQL's "deadlock detected" killed one of them (CI, rebuild e2e).
    const live = ds.createQueryRunner();
    await live.connect();
    try {
      await live.startTransaction();
      await live.query('SELECT name FROM active_projection FOR SHARE');
      await live.query('LOCK TABLE entry_versions IN ROW EXCLUSIVE MODE');
      const creating = new ProjectionVersions(ds, schema).create('v2', 'event_log');
      const outcome = creating.then(
        () => 'created',
        (err: Error) => err.message,
      );
      await new Promise((r) => setTimeout(r, 300));
      await live.query('LOCK TABLE timeline_entries IN ROW EXCLUSIVE MODE');
      await live.commitTransaction();
      expect(await outcome).toBe('created');
    } finally {
      await live.release();
    }
    const versions = await new ProjectionVersions(ds, schema).list();
    expect(versions.map((v) => [v.name, v.status, v.hasPartitions])).toEqual([
      ['live', 'active', true],
      ['v2', 'building', true],
    ]);
  });
});
