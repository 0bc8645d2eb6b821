import type { RebuildCounts } from './version-batch-applier.js';

/** Low/high watermark of one partition of the events topic. */
export interface PartitionRange {
  readonly partition: number;
  /** First offset still in the log. */
  readonly low: string;
  /** Offset the next message will get. */
  readonly high: string;
}

/** One Kafka phase of a rebuild: which version, up to where, and where to report. */
export interface KafkaBuild {
  /** The version being built; its `projector_offsets` rows are where the phase starts and what it moves. */
  readonly projection: string;
  /** Offset per partition to read up to (exclusive): the high watermarks when the phase started. */
  readonly end: ReadonlyMap<number, string>;
  /** Messages per transaction. */
  readonly chunkSize: number;
  /** Added to as transactions commit (only what committed is counted). */
  readonly counts: RebuildCounts;
  /** Aborting stops after the transaction in flight; the version keeps what committed. */
  readonly signal?: AbortSignal;
  /** After every committed transaction, with the messages it read; awaited (it may pace the run). */
  onChunk(read: number): Promise<void>;
}

/**
 * The Kafka side of a {@link ProjectionRebuild}, injected so that `libs/store` needs no Kafka client:
 * `@timeline/projection`'s `KafkaRebuildPhase` implements it with the live projector's runner (same
 * fence, decoding and savepoint fallback), stopping at the high watermarks seen at start.
 */
export interface RebuildKafkaPhase {
  /** Watermarks of every partition of the events topic, by partition; `undefined` when the topic does not exist. Throws when Kafka is unreachable. */
  watermarks(): Promise<readonly PartitionRange[] | undefined>;
  /** Applies the topic to `build.projection` from its stored offsets up to `build.end`; resolves when every partition got there. */
  build(build: KafkaBuild): Promise<void>;
}
