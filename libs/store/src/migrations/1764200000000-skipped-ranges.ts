import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ident } from '../sql.js';

/**
 * `skipped_ranges` (issue 11): offset ranges an operator moved the projection past with `cli skip`
 * (a record batch that cannot be decoded parks its partition). Kept forever, so a rebuild from
 * Kafka skips exactly the same ranges and nothing is ever skipped silently.
 */
export class SkippedRanges1764200000000 implements MigrationInterface {
  name = 'SkippedRanges1764200000000';

  async up(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    await q.query(`
      CREATE TABLE IF NOT EXISTS ${s}.skipped_ranges (
        topic        text        NOT NULL,
        partition    integer     NOT NULL,
        from_offset  bigint      NOT NULL,
        to_offset    bigint      NOT NULL CHECK (to_offset > from_offset),
        reason       text        NOT NULL CHECK (reason <> ''),
        skipped_by   text        NOT NULL,
        skipped_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition, from_offset)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    await q.query(`DROP TABLE IF EXISTS ${s}.skipped_ranges`);
  }
}
