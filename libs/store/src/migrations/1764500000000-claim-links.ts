import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ident } from '../sql.js';

/**
 * Who disputes an entry is answered from the entries that carry claim links only: partial indexes on
 * `relations <> '[]'` keep that read proportional to the number of claims (a handful per story), not
 * to the timeline — a per-row containment check over every entry took 37 s for one page of 500 at
 * 20,000 entries (the fault scenario on a 3-node cluster timed out on it).
 */
export class ClaimLinks1764500000000 implements MigrationInterface {
  name = 'ClaimLinks1764500000000';

  async up(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    await q.query(`CREATE INDEX timeline_entries_claims_idx ON ${s}.timeline_entries (projection) WHERE relations <> '[]'::jsonb`);
    await q.query(
      `CREATE INDEX entry_versions_claims_idx ON ${s}.entry_versions (projection, recorded_from) WHERE relations <> '[]'::jsonb`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    await q.query(`DROP INDEX IF EXISTS ${s}.entry_versions_claims_idx`);
    await q.query(`DROP INDEX IF EXISTS ${s}.timeline_entries_claims_idx`);
  }
}
