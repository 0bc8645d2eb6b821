export { classifyFailure, type FailureKind } from './failure-classifier.js';
export { decodeKafkaMessage, type DecodedMessage } from './kafka-message-decoder.js';
export { PartitionWatermarks, type PartitionWatermark } from './partition-watermarks.js';
export {
  PartitionBatchApplier,
  type BatchHooks,
  type BatchOutcome,
  type MessageOutcome,
  type PartitionBatch,
  type PartitionBatchApplierOptions,
  type PoisonKind,
  type ProjectionTarget,
  type SkippedRange,
} from './partition-batch-applier.js';
export {
  ProjectionRunner,
  type BatchResult,
  type CommittedBatch,
  type ProjectionRunnerMetrics,
  type ProjectionRunnerOptions,
  type ProjectorState,
  type RunnerConsumerSettings,
} from './projection-runner.js';
export { MissingOffsetsError } from './missing-offsets.error.js';
export { KafkaRebuildPhase, rebuildGroupId, type KafkaRebuildPhaseOptions } from './kafka-rebuild-phase.js';
export { rebuildEnvironment } from './rebuild-environment.js';
export { PartitionParking, type ParkedPartition } from './partition-parking.js';
