import type { QueryRunner } from 'typeorm';
import { ident, projectionTable } from './sql.js';

/**
 * Creates the per-version partitions of the read model. Each projection version (the live one,
 * or one being rebuilt) owns one LIST partition of `timeline_entries`, `entry_versions` and
 * `pending_corrections`, so a rebuild writes beside the live data and retiring a version is a DROP.
 */
export async function createProjectionPartitions(run: Pick<QueryRunner, 'query'>, schema: string, projection: string): Promise<void> {
  const s = ident(schema);
  const lit = `'${projection.replace(/'/g, "''")}'`;
  for (const table of ['timeline_entries', 'entry_versions', 'pending_corrections'] as const) {
    await run.query(
      `CREATE TABLE IF NOT EXISTS ${s}.${projectionTable(table, projection)} PARTITION OF ${s}.${ident(table)} FOR VALUES IN (${lit})`,
    );
  }
}

/** Drops a retired projection version's partitions and offsets. */
export async function dropProjectionPartitions(run: Pick<QueryRunner, 'query'>, schema: string, projection: string): Promise<void> {
  const s = ident(schema);
  for (const table of ['timeline_entries', 'entry_versions', 'pending_corrections'] as const) {
    await run.query(`DROP TABLE IF EXISTS ${s}.${projectionTable(table, projection)}`);
  }
  await run.query(`DELETE FROM ${s}.projector_offsets WHERE projection = $1`, [projection]);
}
