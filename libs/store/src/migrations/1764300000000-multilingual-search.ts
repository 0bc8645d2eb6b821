import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ident } from '../sql.js';
import { createTextSearch } from '../text-search.js';

/**
 * Issue 16, a multilingual timeline:
 * - `language`, `language_detected_by`, `translations` on entries and versions (rows written before
 *   read as English, stated — as every entry was English-only then; a rebuild detects instead);
 * - per-language text search (`timeline_uk` on Hunspell or its fallback, `search_config`,
 *   `entry_search_vector`: see `createTextSearch`);
 * - `search_texts` (the indexed text by language) and `search` regenerated from it instead of
 *   `to_tsvector('english', search_text)`; existing rows keep their text, indexed as English.
 * Works on an existing database: columns are added with defaults, then back-filled.
 */
export class MultilingualSearch1764300000000 implements MigrationInterface {
  name = 'MultilingualSearch1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const schema = (q.connection.options as { schema?: string }).schema ?? 'public';
    const s = ident(schema);
    await createTextSearch(q, schema);
    for (const table of ['timeline_entries', 'entry_versions']) {
      const t = `${s}.${ident(table)}`;
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS language text NOT NULL DEFAULT 'en'`);
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS language_detected_by text`);
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS translations jsonb NOT NULL DEFAULT '[]'`);
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS search_texts jsonb NOT NULL DEFAULT '{}'`);
      await q.query(`UPDATE ${t} SET search_texts = jsonb_build_object('en', search_text) WHERE search_text <> ''`);
    }
    await q.query(`DROP INDEX IF EXISTS ${s}.timeline_entries_search_idx`);
    await q.query(`ALTER TABLE ${s}.timeline_entries DROP COLUMN IF EXISTS search`);
    await q.query(
      `ALTER TABLE ${s}.timeline_entries ADD COLUMN search tsvector GENERATED ALWAYS AS (${s}.entry_search_vector(search_texts)) STORED`,
    );
    await q.query(`CREATE INDEX timeline_entries_search_idx ON ${s}.timeline_entries USING gin (search)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    await q.query(`DROP INDEX IF EXISTS ${s}.timeline_entries_search_idx`);
    await q.query(`ALTER TABLE ${s}.timeline_entries DROP COLUMN IF EXISTS search`);
    await q.query(
      `ALTER TABLE ${s}.timeline_entries ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', search_text)) STORED`,
    );
    await q.query(`CREATE INDEX timeline_entries_search_idx ON ${s}.timeline_entries USING gin (search)`);
    for (const table of ['timeline_entries', 'entry_versions']) {
      const t = `${s}.${ident(table)}`;
      for (const c of ['search_texts', 'translations', 'language_detected_by', 'language'])
        await q.query(`ALTER TABLE ${t} DROP COLUMN IF EXISTS ${c}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS ${s}.entry_search_vector(jsonb)`);
    await q.query(`DROP FUNCTION IF EXISTS ${s}.search_config(text)`);
    await q.query(`DROP TEXT SEARCH CONFIGURATION IF EXISTS ${s}.timeline_uk`);
    await q.query(`DROP TEXT SEARCH DICTIONARY IF EXISTS ${s}.timeline_uk_hunspell`);
  }
}
