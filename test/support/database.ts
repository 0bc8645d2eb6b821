import type { DataSource } from 'typeorm';
import type { AppConfig } from '@timeline/config';
import { createDataSource, runMigrations } from '@timeline/store';

/** A migrated, private schema for one test; `drop()` removes it. */
export async function createTestDatabase(config: AppConfig): Promise<{ ds: DataSource; drop: () => Promise<void> }> {
  const ds = createDataSource(config.database, { applicationName: 'jest', poolSize: 4 });
  await ds.initialize();
  await runMigrations(ds);
  return {
    ds,
    drop: async () => {
      await ds.query(`DROP SCHEMA IF EXISTS "${config.database.schema}" CASCADE`);
      await ds.destroy();
    },
  };
}
