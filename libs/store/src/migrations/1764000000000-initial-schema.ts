import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createProjectionPartitions } from '../projection-ddl.js';
import { ident } from '../sql.js';

/**
 * The event log (archive of every applied event), projector offsets, projection versions and the
 * bitemporal read model. The read model tables are LIST-partitioned by projection version so a
 * rebuild can run beside the live version and switch with one pointer update.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const schema = (q.connection.options as { schema?: string }).schema ?? 'public';
    const s = ident(schema);
    await q.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);

    // The archive: every valid event exactly once (UNIQUE event_id), as received (upcast on read).
    await q.query(`
      CREATE TABLE ${s}.event_log (
        event_id          uuid        PRIMARY KEY,
        story_id          text        NOT NULL,
        type              text        NOT NULL,
        schema_version    integer     NOT NULL,
        occurred_at       timestamptz NOT NULL,
        recorded_at       timestamptz NOT NULL,
        envelope          jsonb       NOT NULL,
        source_topic      text        NOT NULL,
        source_partition  integer     NOT NULL,
        source_offset     bigint      NOT NULL,
        appended_at       timestamptz NOT NULL DEFAULT now()
      )`);
    // Log order (rebuild from event_log) and chronological order (analysis replay).
    await q.query(`CREATE INDEX event_log_source_idx ON ${s}.event_log (source_topic, source_partition, source_offset)`);
    await q.query(`CREATE INDEX event_log_occurred_idx ON ${s}.event_log (occurred_at, recorded_at, event_id)`);

    await q.query(`
      CREATE TABLE ${s}.projections (
        name          text        PRIMARY KEY,
        status        text        NOT NULL CHECK (status IN ('building', 'active', 'retired')),
        source        text        NOT NULL DEFAULT 'kafka' CHECK (source IN ('kafka', 'event_log')),
        created_at    timestamptz NOT NULL DEFAULT now(),
        activated_at  timestamptz,
        retired_at    timestamptz
      )`);
    // One row: which projection version the API reads and the live projector writes.
    await q.query(`
      CREATE TABLE ${s}.active_projection (
        singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
        name         text        NOT NULL REFERENCES ${s}.projections (name),
        switched_at  timestamptz NOT NULL DEFAULT now()
      )`);

    // Source of truth for consumer positions: written in the same transaction as the projection.
    await q.query(`
      CREATE TABLE ${s}.projector_offsets (
        projection   text        NOT NULL,
        topic        text        NOT NULL,
        partition    integer     NOT NULL,
        next_offset  bigint      NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, topic, partition)
      )`);

    // Current state of each entry (one row per entry, retracted ones included and flagged).
    await q.query(`
      CREATE TABLE ${s}.timeline_entries (
        projection          text        NOT NULL,
        entry_id            uuid        NOT NULL,
        story_id            text        NOT NULL,
        type                text        NOT NULL,
        schema_version      integer     NOT NULL,
        cameo_code          text,
        occurred_at         timestamptz NOT NULL,
        occurred_precision  text        NOT NULL CHECK (occurred_precision IN ('day', 'hour', 'minute', 'second')),
        occurred_until      timestamptz,
        occurred_tz         text,
        recorded_at         timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        version             integer     NOT NULL,
        status              text        NOT NULL CHECK (status IN ('live', 'corrected', 'retracted')),
        confirmation        text        NOT NULL CHECK (confirmation IN ('confirmed', 'reported')),
        summary             text        NOT NULL,
        actors              jsonb       NOT NULL DEFAULT '[]',
        locations           jsonb       NOT NULL DEFAULT '[]',
        sources             jsonb       NOT NULL DEFAULT '[]',
        payload             jsonb       NOT NULL DEFAULT '{}',
        tags                text[]      NOT NULL DEFAULT '{}',
        actor_ids           text[]      NOT NULL DEFAULT '{}',
        countries           text[]      NOT NULL DEFAULT '{}',
        location_names      text[]      NOT NULL DEFAULT '{}',
        search_text         text        NOT NULL DEFAULT '',
        search              tsvector    GENERATED ALWAYS AS (to_tsvector('english', search_text)) STORED,
        source_partition    integer     NOT NULL,
        source_offset       bigint      NOT NULL,
        PRIMARY KEY (projection, entry_id)
      ) PARTITION BY LIST (projection)`);
    // Keyset pagination in timeline order (both directions), and the filters the API offers.
    await q.query(`CREATE INDEX timeline_entries_order_idx ON ${s}.timeline_entries (projection, occurred_at, recorded_at, entry_id)`);
    await q.query(`CREATE INDEX timeline_entries_type_idx ON ${s}.timeline_entries (projection, type, occurred_at)`);
    await q.query(`CREATE INDEX timeline_entries_story_idx ON ${s}.timeline_entries (projection, story_id, occurred_at)`);
    await q.query(`CREATE INDEX timeline_entries_actor_idx ON ${s}.timeline_entries USING gin (actor_ids)`);
    await q.query(`CREATE INDEX timeline_entries_country_idx ON ${s}.timeline_entries USING gin (countries)`);
    await q.query(`CREATE INDEX timeline_entries_tags_idx ON ${s}.timeline_entries USING gin (tags)`);
    await q.query(`CREATE INDEX timeline_entries_search_idx ON ${s}.timeline_entries USING gin (search)`);
    await q.query(`CREATE INDEX timeline_entries_position_idx ON ${s}.timeline_entries (projection, source_partition, source_offset)`);

    // Every version of every entry, bitemporal: valid in recorded time [recorded_from, recorded_to).
    await q.query(`
      CREATE TABLE ${s}.entry_versions (
        projection          text        NOT NULL,
        entry_id            uuid        NOT NULL,
        version             integer     NOT NULL,
        event_id            uuid        NOT NULL,
        change              text        NOT NULL CHECK (change IN ('created', 'corrected', 'retracted')),
        correction_severity text        CHECK (correction_severity IN ('substantive', 'minor')),
        change_note         text,
        recorded_from       timestamptz NOT NULL,
        recorded_to         timestamptz,
        story_id            text        NOT NULL,
        type                text        NOT NULL,
        cameo_code          text,
        occurred_at         timestamptz NOT NULL,
        occurred_precision  text        NOT NULL,
        occurred_until      timestamptz,
        occurred_tz         text,
        status              text        NOT NULL CHECK (status IN ('live', 'corrected', 'retracted')),
        confirmation        text        NOT NULL,
        summary             text        NOT NULL,
        actors              jsonb       NOT NULL DEFAULT '[]',
        locations           jsonb       NOT NULL DEFAULT '[]',
        sources             jsonb       NOT NULL DEFAULT '[]',
        payload             jsonb       NOT NULL DEFAULT '{}',
        tags                text[]      NOT NULL DEFAULT '{}',
        actor_ids           text[]      NOT NULL DEFAULT '{}',
        countries           text[]      NOT NULL DEFAULT '{}',
        search_text         text        NOT NULL DEFAULT '',
        source_partition    integer     NOT NULL,
        source_offset       bigint      NOT NULL,
        PRIMARY KEY (projection, entry_id, version)
      ) PARTITION BY LIST (projection)`);
    // asOf: versions valid at T, in timeline order; SSE resume: changes after a (partition, offset).
    await q.query(`CREATE INDEX entry_versions_asof_idx ON ${s}.entry_versions (projection, recorded_from, recorded_to)`);
    await q.query(`CREATE INDEX entry_versions_order_idx ON ${s}.entry_versions (projection, occurred_at, recorded_from, entry_id)`);
    await q.query(`CREATE INDEX entry_versions_position_idx ON ${s}.entry_versions (projection, source_partition, source_offset)`);

    // Corrections/retractions that arrived before the entry they name; applied when it arrives.
    await q.query(`
      CREATE TABLE ${s}.pending_corrections (
        projection        text        NOT NULL,
        event_id          uuid        NOT NULL,
        target_event_id   uuid        NOT NULL,
        envelope          jsonb       NOT NULL,
        source_partition  integer     NOT NULL,
        source_offset     bigint      NOT NULL,
        received_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, event_id)
      ) PARTITION BY LIST (projection)`);
    await q.query(`CREATE INDEX pending_corrections_target_idx ON ${s}.pending_corrections (projection, target_event_id)`);

    await q.query(`INSERT INTO ${s}.projections (name, status, activated_at) VALUES ('live', 'active', now())`);
    await q.query(`INSERT INTO ${s}.active_projection (name) VALUES ('live')`);
    await createProjectionPartitions(q, schema, 'live');
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = (q.connection.options as { schema?: string }).schema ?? 'public';
    const s = ident(schema);
    for (const t of [
      'pending_corrections',
      'entry_versions',
      'timeline_entries',
      'projector_offsets',
      'active_projection',
      'projections',
      'event_log',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${s}.${ident(t)} CASCADE`);
    }
  }
}
