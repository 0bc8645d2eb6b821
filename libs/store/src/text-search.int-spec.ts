import type { DataSource } from 'typeorm';
import { LANGUAGE_DETECTOR } from '@timeline/events';
import {
  TimelineProjectionWriter,
  createTextSearch,
  ident,
  textSearchHealth,
  ukrainianSearchNote,
  ukrainianSearchStatus,
  warnOnTextSearchFallback,
} from '@timeline/store';
import { createTestDatabase, positioned, statementIssued, testConfig } from '../../../test/support/index.js';

/** Issue 16: per-language full-text search, on a real PostgreSQL schema of its own. */
describe('multilingual full-text search (real Postgres)', () => {
  const { config } = testConfig();
  const schema = config.database.schema;
  const writer = new TimelineProjectionWriter();
  let ds: DataSource;
  let drop: () => Promise<void>;

  const ukrainian = statementIssued({
    language: 'uk',
    summary: 'Військо переведено в стан підвищеної готовності біля кордону.',
    sources: [{ role: 'primary', outlet: 'Міноборони України', url: 'https://www.mil.gov.ua/', language: 'uk' }],
    payload: { speaker: 'Олексій Резніков' },
  });
  const russian = statementIssued({
    summary: 'Песков заявил о большой обеспокоенности действиями США.',
    translations: [{ lang: 'en', text: 'Peskov voiced great concern about US actions.', by: 'editor', at: '2022-01-25T13:00:00Z' }],
    payload: { speaker: 'Дмитрий Песков', quote: 'с большой обеспокоенностью', quoteLanguage: 'ru' },
  });
  const english = statementIssued({ language: 'en', summary: 'Pentagon puts about 8,500 troops on heightened alert.' });

  /** Entry ids whose `search` matches `word` under `lang`'s configuration. */
  const found = async (lang: string, word: string): Promise<string[]> =>
    (
      await ds.query(
        `SELECT entry_id::text AS id FROM timeline_entries
          WHERE projection = 'live' AND search @@ plainto_tsquery(${ident(schema)}.search_config($1), $2) ORDER BY 1`,
        [lang, word],
      )
    ).map((r: { id: string }) => r.id);

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    await writer.applyCommitted(ds, 'live', positioned([ukrainian, russian, english], { partition: 0, offset: 10 }));
  });
  afterAll(async () => {
    await drop();
  });

  it('builds Ukrainian search on the Hunspell dictionary the launcher installed into the embedded PostgreSQL', async () => {
    expect(await ukrainianSearchStatus(ds, schema)).toBe('hunspell');
    expect(ukrainianSearchNote('hunspell')).toBeUndefined();
    expect(await textSearchHealth(ds, schema)).toEqual({ status: 'up', ukrainian: 'hunspell' });
    const lexemes = await ds.query(`SELECT to_tsvector(${ident(schema)}.search_config('uk'), 'військами готовності')::text AS v`);
    expect(lexemes[0].v).toContain("'військо'");
    expect(lexemes[0].v).toContain("'готовність'");
  });

  it('stores the language, whether it was detected, and the translations', async () => {
    const rows = await ds.query(
      `SELECT entry_id::text AS id, language, language_detected_by, translations FROM timeline_entries WHERE projection = 'live'`,
    );
    const byId = new Map(rows.map((r: { id: string }) => [r.id, r]));
    expect(byId.get(ukrainian.eventId)).toMatchObject({ language: 'uk', language_detected_by: null, translations: [] });
    expect(byId.get(russian.eventId)).toMatchObject({ language: 'ru', language_detected_by: LANGUAGE_DETECTOR });
    expect((byId.get(russian.eventId) as { translations: unknown[] }).translations).toHaveLength(1);
    const versions = await ds.query(`SELECT language, language_detected_by FROM entry_versions WHERE entry_id = $1`, [russian.eventId]);
    expect(versions).toEqual([{ language: 'ru', language_detected_by: LANGUAGE_DETECTOR }]);
  });

  it('finds each entry by an inflected form in its language, a translation in its own, numbers with or without separators', async () => {
    expect(await found('uk', 'військами')).toEqual([ukrainian.eventId]);
    expect(await found('ru', 'обеспокоенность')).toEqual([russian.eventId]);
    expect(await found('en', 'voicing')).toEqual([russian.eventId]);
    expect(await found('simple', '8500')).toEqual([english.eventId]);
    // The stemming is the language's: English stemming leaves a Ukrainian inflection as it is.
    expect(await found('en', 'військами')).toEqual([]);
    expect(await found('ru', 'військами')).toEqual([]);
  });

  it('gives asOf reads (entry_search_vector over a version) the same vector as the live index', async () => {
    const rows = await ds.query(
      `SELECT e.search::text = ${ident(schema)}.entry_search_vector(v.search_texts)::text AS same
         FROM timeline_entries e JOIN entry_versions v USING (projection, entry_id) WHERE e.projection = 'live'`,
    );
    expect(rows.map((r: { same: boolean }) => r.same)).toEqual([true, true, true]);
  });

  it('falls back to simple + unaccent when the Hunspell files cannot be loaded, and says so', async () => {
    const fallback = `${schema}_fb`;
    const q = ds.createQueryRunner();
    await q.connect();
    try {
      await q.query(`CREATE SCHEMA ${ident(fallback)}`);
      await q.startTransaction();
      const mode = await createTextSearch(q, fallback, { hunspellFile: 'no_such_dictionary' });
      await q.commitTransaction();
      expect(mode).toBe('simple+unaccent');
      expect(await ukrainianSearchStatus(q, fallback)).toBe('simple+unaccent');
      expect(ukrainianSearchNote(mode)).toMatch(/without Hunspell/);
      // What /health says about it: still up (a supported setup), with the fallback named.
      expect(await textSearchHealth(q, fallback)).toEqual({ status: 'up', ukrainian: 'simple+unaccent', note: ukrainianSearchNote(mode) });
      expect(await textSearchHealth(q, `${schema}_none`)).toMatchObject({ status: 'degraded', ukrainian: 'missing' });
      // And every app's boot log line.
      const warnings: unknown[][] = [];
      const logger = { warn: (...args: unknown[]) => void warnings.push(args) };
      await warnOnTextSearchFallback(q, fallback, logger);
      await warnOnTextSearchFallback(q, schema, logger);
      expect(warnings).toEqual([[{ ukrainianSearch: 'simple+unaccent' }, ukrainianSearchNote(mode)]]);
      const v = await q.query(`SELECT to_tsvector(${ident(fallback)}.search_config('uk'), 'Військами') AS v`);
      expect(v[0].v).not.toContain('військо');
      expect(v[0].v).toMatch(/'[^']+'/);
    } finally {
      await q.query(`DROP SCHEMA IF EXISTS ${ident(fallback)} CASCADE`);
      await q.release();
    }
  });
});
