import { createTestDatabase, testConfig } from '../../../test/support/index.js';
import { STORE_ENTITIES } from './index.js';

/** "TypeORM entities and migrations describe the schema" (CONVENTIONS.md rule 11): they must not drift apart. */
describe('store entities match the migrated schema', () => {
  it('maps every column of every table, and every mapped column exists', async () => {
    const { config } = testConfig();
    const db = await createTestDatabase(config);
    try {
      for (const entity of STORE_ENTITIES) {
        const meta = db.ds.getMetadata(entity);
        const rows: { column_name: string }[] = await db.ds.query(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
          [config.database.schema, meta.tableName],
        );
        const inDb = rows.map((r) => r.column_name).sort();
        const mapped = meta.columns.map((c) => c.databaseName).sort();
        expect({ table: meta.tableName, columns: mapped }).toEqual({ table: meta.tableName, columns: inDb });
        // Selecting through the entity fails loudly if a mapped column's type is wrong.
        await db.ds.getRepository(entity).find({ take: 1 });
      }
    } finally {
      await db.drop();
    }
  });
});
