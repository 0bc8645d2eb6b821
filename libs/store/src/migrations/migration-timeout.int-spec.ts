import { createTestDatabase, directProjector, readinessRaised, testConfig } from '../../../../test/support/index.js';
import { createDataSource, runMigrations } from '../index.js';

/**
 * A migration that backfills a large read model runs for minutes (issue 14's at 1M entries): it must
 * not be cancelled by the pool's per-statement timeout (60 s), which left every app failing its boot.
 */
describe('migrations run without the pool’s statement timeout', () => {
  it('applies a backfilling migration on a read model whose statements outlast the timeout', async () => {
    const { config } = testConfig();
    const db = await createTestDatabase(config);
    try {
      await directProjector(db.ds, config.kafka.eventsTopic)([readinessRaised()]);
      // 40,000 copies of the entry: the corroboration backfill (one UPDATE of every row) takes far longer than 5 ms.
      const columns = (
        (await db.ds.query(
          `SELECT column_name FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = 'timeline_entries' AND is_generated = 'NEVER' ORDER BY ordinal_position`,
          [config.database.schema],
        )) as { column_name: string }[]
      ).map((c) => `"${c.column_name}"`);
      const copied = columns.map((c) => (c === '"entry_id"' ? 'gen_random_uuid()' : `e.${c}`));
      await db.ds.query(
        `INSERT INTO timeline_entries (${columns.join(', ')})
         SELECT ${copied.join(', ')} FROM timeline_entries e, generate_series(1, 40000)`,
      );
      await db.ds.undoLastMigration({ transaction: 'all' }); // ClaimLinks
      await db.ds.undoLastMigration({ transaction: 'all' }); // Corroboration, the backfill

      const impatient = createDataSource(config.database, { applicationName: 'jest impatient', poolSize: 2 });
      (impatient.options as { extra: Record<string, unknown> }).extra.statement_timeout = 5;
      await impatient.initialize();
      try {
        await expect(impatient.query('SELECT pg_sleep(0.05)')).rejects.toThrow(/statement timeout/);
        expect(await runMigrations(impatient)).toEqual(['Corroboration1764400000000', 'ClaimLinks1764500000000']);
      } finally {
        await impatient.destroy();
      }
      const [row] = (await db.ds.query('SELECT count(*)::int AS n, min(independent_outlets) AS min FROM timeline_entries')) as {
        n: number;
        min: number;
      }[];
      expect(row).toEqual({ n: 40_001, min: 1 });
    } finally {
      await db.drop();
    }
  }, 120_000);
});
