export {
  STORE_ENTITIES,
  STORE_MIGRATIONS,
  createDataSource,
  databaseHealth,
  runMigrations,
  type DataSourceFactoryOptions,
} from './data-source.js';
export { EventLogEntry } from './entities/event-log-entry.entity.js';
export { ProjectorOffset } from './entities/projector-offset.entity.js';
export { ActiveProjection, Projection } from './entities/projection.entity.js';
export { EntryState, EntryVersion, PendingCorrection, TimelineEntry } from './entities/timeline-entry.entity.js';
export { createProjectionPartitions, dropProjectionPartitions } from './projection-ddl.js';
export { ident, projectionTable } from './sql.js';
export { StoreModule, type StoreModuleOptions } from './store.module.js';
