export { ROOT, runCli, startApp, type AppName, type RunningApp } from './app-process.js';
export { useTestStack, type TestStack } from './test-stack.js';
export { seriousAxeViolations, useDashboardStack, type DashboardStack } from './dashboard-stack.js';
export { createTestDatabase } from './database.js';
export { parseCsvRecord } from './csv.js';
export { createTopics, fetchApiVersions, testKafka } from './kafka.js';
export { uniqueName } from './names.js';
export { testConfig, testEnv } from './test-config.js';
export { sleep, waitFor } from './wait.js';
export {
  decodeEvent,
  denialIssued,
  entryMerged,
  entryRelated,
  entrySplit,
  entryCorrected,
  entryRetracted,
  eventSeries,
  positioned,
  readinessRaised,
  readinessRaisedV1,
  statementIssued,
  type RawEvent,
} from './event-factory.js';
export { countTopicRecords, readTopic, type ReadRecord } from './topic-reader.js';
export { ARTIFACTS_DIR, CHROMIUM_PATH, launchBrowser, openEventStream, type EventStreamClient, type SseMessage } from './browser.js';
export {
  directProjector,
  eventMessage,
  metricValue,
  projectorTestbed,
  shuffled,
  testProducer,
  waitForCaughtUp,
  waitForCount,
  type ProjectorTestbed,
  type TestMessage,
} from './projector-harness.js';
export { TIMELINEJS_SCHEMA } from './timelinejs-schema.js';
export { spawnCli, type RunningCli } from './cli-process.js';
export { ClusterProbe, type PartitionState } from './kafka-cluster.js';
export { processAlive, startPrivateInfra, type PrivateInfra, type PrivateInfraOptions } from './private-infra.js';
export { IngestLoad, ingestInput, type IngestInput, type IngestLoadOptions, type IngestLoadReport } from './ingest-load.js';
export {
  checkFaultInvariants,
  expectOffsetsMatchArchive,
  residentBytes,
  throttleProcess,
  waitForOpenTransaction,
  type FaultInvariantInput,
  type FaultInvariantReport,
} from './fault-invariants.js';
export {
  ForeignProducerPlan,
  javaConsume,
  runJavaClient,
  type ForeignRecord,
  type JavaCompression,
  type JavaConsumedRecord,
} from './java-client.js';
