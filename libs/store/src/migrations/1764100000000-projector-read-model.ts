import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ident } from '../sql.js';

/**
 * Additions the projector's bulk writer relies on (additive only):
 * - `entry_versions (projection, event_id)` UNIQUE: every applied event produces exactly one version
 *   row, so this is both the writer's "already applied to this projection?" lookup and the backstop
 *   that turns a concurrent double-apply into a unique violation (retried) instead of a duplicate.
 * - `entry_versions.location_names`: the place filter works on `asOf` reads like on current ones.
 * - `pending_corrections.source_topic`: a deferred correction keeps its full position.
 * - GIN on `timeline_entries.location_names` for the API's place filter.
 */
export class ProjectorReadModel1764100000000 implements MigrationInterface {
  name = 'ProjectorReadModel1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    await q.query(`ALTER TABLE ${s}.entry_versions ADD COLUMN IF NOT EXISTS location_names text[] NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE ${s}.pending_corrections ADD COLUMN IF NOT EXISTS source_topic text`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS entry_versions_event_idx ON ${s}.entry_versions (projection, event_id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS timeline_entries_location_idx ON ${s}.timeline_entries USING gin (location_names)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    await q.query(`DROP INDEX IF EXISTS ${s}.timeline_entries_location_idx`);
    await q.query(`DROP INDEX IF EXISTS ${s}.entry_versions_event_idx`);
    await q.query(`ALTER TABLE ${s}.pending_corrections DROP COLUMN IF EXISTS source_topic`);
    await q.query(`ALTER TABLE ${s}.entry_versions DROP COLUMN IF EXISTS location_names`);
  }
}
