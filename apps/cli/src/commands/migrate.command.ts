import { loadConfig } from '@timeline/config';
import { createDataSource, runMigrations } from '@timeline/store';
import type { CliCommand } from '../command.js';

/** Applies pending database migrations. */
export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'apply pending database migrations (DATABASE_URL, DATABASE_SCHEMA)',
  usage: 'migrate',
  async run() {
    const config = loadConfig();
    const ds = createDataSource(config.database, { applicationName: 'timeline-cli', poolSize: 2 });
    await ds.initialize();
    try {
      const applied = await runMigrations(ds);
      console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'schema is up to date');
    } finally {
      await ds.destroy();
    }
    return 0;
  },
};
