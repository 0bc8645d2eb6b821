import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ident } from '../sql.js';

const CHANGES_BEFORE = ['created', 'corrected', 'retracted'];
const CHANGES = [...CHANGES_BEFORE, 'merged', 'split', 'related'];
const list = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');

/**
 * Issue 14, corroboration and claims:
 * - `merged_into`, `merged_reports` (an entry.merged survivor's reports as they stood when merged),
 *   `relations` (outgoing claim links), `report_count` and `independent_outlets` (so
 *   `minIndependentSources` filters by column) on entries and versions; existing rows get 1 report and
 *   their distinct outlet names — a rebuild computes the exact figure (syndication rules, `originOf`);
 * - the version `change` may be `merged`, `split` or `related`, and one meta event may write one version
 *   per entry it changes (a merge: the survivor's and each merged entry's), so the unique index of
 *   `entry_versions` is on (projection, event_id, entry_id);
 * - `pg_trgm` for duplicate candidates (`similarity()`), in `public` — on every connection's
 *   search_path (schema, public) and outliving any one schema (a test schema dropped with CASCADE
 *   must not take the extension of the others with it). A role that may not create it (the
 *   least-privilege writer) finds it already there once an administrator migrated once.
 */
export class Corroboration1764400000000 implements MigrationInterface {
  name = 'Corroboration1764400000000';

  async up(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    // The extension is database-wide while the migration lock is per schema: two schemas migrating
    // at once on a fresh database both created it (CI: duplicate key in pg_extension_name_index).
    // A transaction lock on the database serialises them; the second sees the first's extension.
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('timeline-extension:pg_trgm'))`);
    const trgm = (await q.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`)) as unknown[];
    if (trgm.length === 0) await q.query('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public');
    for (const table of ['timeline_entries', 'entry_versions']) {
      const t = `${s}.${ident(table)}`;
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS merged_into uuid`);
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS merged_reports jsonb NOT NULL DEFAULT '[]'`);
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS relations jsonb NOT NULL DEFAULT '[]'`);
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS report_count integer NOT NULL DEFAULT 1`);
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS independent_outlets integer NOT NULL DEFAULT 0`);
      await q.query(
        `UPDATE ${t} SET independent_outlets = (SELECT count(DISTINCT lower(x.src->>'outlet')) FROM jsonb_array_elements(sources) AS x(src))`,
      );
    }
    await q.query(`ALTER TABLE ${s}.entry_versions DROP CONSTRAINT IF EXISTS entry_versions_change_check`);
    await q.query(`ALTER TABLE ${s}.entry_versions ADD CONSTRAINT entry_versions_change_check CHECK (change IN (${list(CHANGES)}))`);
    await q.query(`DROP INDEX IF EXISTS ${s}.entry_versions_event_idx`);
    await q.query(`CREATE UNIQUE INDEX entry_versions_event_idx ON ${s}.entry_versions (projection, event_id, entry_id)`);
    // Incoming relations ("who denies this entry?") are containment queries on `relations`.
    await q.query(`CREATE INDEX timeline_entries_relations_idx ON ${s}.timeline_entries USING gin (relations jsonb_path_ops)`);
    // The same question as known at asOf (versions valid at T that link to the entry).
    await q.query(`CREATE INDEX entry_versions_relations_idx ON ${s}.entry_versions USING gin (relations jsonb_path_ops)`);
    await q.query(
      `CREATE INDEX timeline_entries_merged_idx ON ${s}.timeline_entries (projection, merged_into) WHERE merged_into IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    await q.query(`DROP INDEX IF EXISTS ${s}.timeline_entries_merged_idx`);
    await q.query(`DROP INDEX IF EXISTS ${s}.entry_versions_relations_idx`);
    await q.query(`DROP INDEX IF EXISTS ${s}.timeline_entries_relations_idx`);
    await q.query(`DELETE FROM ${s}.entry_versions WHERE change NOT IN (${list(CHANGES_BEFORE)})`);
    await q.query(`DROP INDEX IF EXISTS ${s}.entry_versions_event_idx`);
    await q.query(`CREATE UNIQUE INDEX entry_versions_event_idx ON ${s}.entry_versions (projection, event_id)`);
    await q.query(`ALTER TABLE ${s}.entry_versions DROP CONSTRAINT IF EXISTS entry_versions_change_check`);
    await q.query(`ALTER TABLE ${s}.entry_versions ADD CONSTRAINT entry_versions_change_check CHECK (change IN (${list(CHANGES_BEFORE)}))`);
    for (const table of ['timeline_entries', 'entry_versions']) {
      const t = `${s}.${ident(table)}`;
      for (const c of ['independent_outlets', 'report_count', 'relations', 'merged_reports', 'merged_into'])
        await q.query(`ALTER TABLE ${t} DROP COLUMN IF EXISTS ${c}`);
    }
    // pg_trgm stays: other schemas of the database may use it.
  }
}
