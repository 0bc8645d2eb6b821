export {
  STORE_ENTITIES,
  STORE_MIGRATIONS,
  createDataSource,
  databaseHealth,
  runMigrations,
  type DataSourceFactoryOptions,
  type SessionTimeouts,
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
export { accumulated, type EntryRelation, type MergedReport } from './projection/entry-snapshot.js';
export { OffsetStore } from './projection/offset-store.js';
export {
  applyIsolatingUnstorable,
  emptyResult,
  type IsolatedApplyResult,
  type UnstorableEvent,
} from './projection/unstorable-isolation.js';
export { errorChain, isConnectionLossMessage, isDataException, postgresFailureOf, type PostgresFailureKind } from './postgres-failure.js';
export {
  TIMELINE_NOTIFY_CHANNEL,
  TIMELINE_NOTIFY_MAX_IDS,
  encodeTimelineNotification,
  notifyTimeline,
  parseTimelineNotification,
  type TimelineNotification,
} from './projection/notify.js';
export {
  ProjectionRebuild,
  VERIFY_VERSION_PREFIX,
  type RebuildEnvironment,
  type RebuildPhase,
  type RebuildPlan,
  type RebuildProgress,
  type RebuildRequest,
  type RebuildResult,
  type RebuildRunOptions,
} from './rebuild/projection-rebuild.js';
export { ProjectionVersions, type ProjectionVersionInfo, type RebuildSource } from './rebuild/projection-versions.js';
export { nextProjectionName, projectionNameProblem } from './rebuild/projection-version-name.js';
export { RebuildLock } from './rebuild/rebuild-lock.js';
export { RebuildInProgressError } from './rebuild/rebuild-in-progress.error.js';
export { RebuildRequestError } from './rebuild/rebuild-request.error.js';
export { emptyCounts, type RebuildCounts } from './rebuild/version-batch-applier.js';
export type { KafkaBuild, PartitionRange, RebuildKafkaPhase } from './rebuild/rebuild-kafka-phase.js';
export {
  compareChecksums,
  projectionChecksum,
  type ChecksumDivergence,
  type DayChecksum,
  type ProjectionChecksum,
} from './rebuild/projection-checksum.js';
export { EventLogSource, type LogPartition, type LogSlice } from './rebuild/event-log-source.js';
export { verifyProjection, type VerifyOptions, type VerifyReport } from './rebuild/projection-verifier.js';
export {
  EventLogReplay,
  type ReplayOrder,
  type ReplayQuery,
  type ReplayedEvent,
  type UndecodableEvent,
} from './rebuild/event-log-replay.js';
export { parseReplayInstant, parseReplayWindow, type ReplayWindow, type ReplayWindowProblem } from './rebuild/replay-window.js';
export { TypeOrmPinoLogger } from './typeorm-pino.logger.js';
export { applyDatabaseRoles, roleNameProblem, type DatabaseRolesOptions, type DatabaseRolesReport } from './database-roles.js';
export { SkipRefusedError, skipPartitionRange, skippedRanges, type SkipResult, type SkippedRange } from './skipped-ranges.js';
export { normalizeNumbers } from './search-text.js';
export {
  HUNSPELL_UK_FILE,
  createTextSearch,
  textSearchHealth,
  ukrainianSearchNote,
  ukrainianSearchStatus,
  warnOnTextSearchFallback,
  type UkrainianSearch,
} from './text-search.js';
