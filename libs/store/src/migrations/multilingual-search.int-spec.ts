import type { DataSource } from 'typeorm';
import { STORE_MIGRATIONS, createDataSource, ident } from '@timeline/store';
import { testConfig } from '../../../../test/support/index.js';

/** Issue 16's migration on a database that already holds entries (written before it existed). */
describe('MultilingualSearch migration on an existing database', () => {
  const { config } = testConfig();
  const schema = config.database.schema;
  let ds: DataSource;

  beforeAll(async () => {
    ds = createDataSource(config.database, { applicationName: 'jest', poolSize: 2 });
    await ds.initialize();
    await ds.query(`CREATE SCHEMA ${ident(schema)}`);
  });
  afterAll(async () => {
    await ds.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
    await ds.destroy();
  });

  it('keeps earlier rows, reads them as English and indexes their text again', async () => {
    const at = STORE_MIGRATIONS.findIndex((M) => new M().name === 'MultilingualSearch1764300000000');
    const previous = STORE_MIGRATIONS.slice(0, at);
    const multilingual = STORE_MIGRATIONS[at]!;
    expect(new multilingual().name).toBe('MultilingualSearch1764300000000');
    const q = ds.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction();
      for (const M of previous) await new M().up(q);
      // A row as the writer stored it before issue 16 (no language columns, English-only search).
      await q.query(
        `INSERT INTO ${ident(schema)}.timeline_entries (projection, entry_id, story_id, type, schema_version, occurred_at,
           occurred_precision, recorded_at, updated_at, version, status, confirmation, summary, search_text,
           source_partition, source_offset)
         VALUES ('live', '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01', 's', 'readiness.raised', 2, '2022-01-24', 'day',
           '2022-01-24', '2022-01-24', 1, 'live', 'confirmed', 'Pentagon puts troops on alert',
           'Pentagon puts troops on alert', 0, 1)`,
      );
      await new multilingual().up(q);
      await q.commitTransaction();
    } finally {
      await q.release();
    }
    const [row] = await ds.query(
      `SELECT language, language_detected_by, translations, search_texts,
              search @@ plainto_tsquery('english', 'troop') AS found
         FROM ${ident(schema)}.timeline_entries`,
    );
    expect(row).toEqual({
      language: 'en',
      language_detected_by: null,
      translations: [],
      search_texts: { en: 'Pentagon puts troops on alert' },
      found: true,
    });
  });
});
