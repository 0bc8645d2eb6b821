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
export {
  TimelineProjectionWriter,
  type ProjectionApplyOptions,
  type ProjectionApplyResult,
  type RejectedEvent,
} from './projection/timeline-projection.writer.js';
export type { EventPosition, PositionedEvent } from './projection/positioned-event.js';
export {
  TIMELINE_NOTIFY_CHANNEL,
  TIMELINE_NOTIFY_MAX_IDS,
  encodeTimelineNotification,
  notifyTimeline,
  parseTimelineNotification,
  type TimelineNotification,
} from './projection/notify.js';
