import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { eventCatalogue as defaultCatalogue, type EventCatalogue, type RecordedAtPolicy } from '@timeline/events';
import { createLogger, type Logger } from '@timeline/observability';
import {
  OffsetStore,
  RebuildRequestError,
  skippedRanges,
  TimelineProjectionWriter,
  type KafkaBuild,
  type PartitionRange,
  type RebuildKafkaPhase,
} from '@timeline/store';
import { MissingOffsetsError } from './missing-offsets.error.js';
import { PartitionBatchApplier } from './partition-batch-applier.js';
import { PartitionWatermarks } from './partition-watermarks.js';
import { ProjectionRunner } from './projection-runner.js';

/** Options of {@link KafkaRebuildPhase}. */
export interface KafkaRebuildPhaseOptions {
  readonly kafka: Kafka;
  readonly ds: DataSource;
  /** The events topic. */
  readonly topic: string;
  /** The live projector's group id; each run's own group is derived from it ({@link rebuildGroupId}). */
  readonly projectorGroupId: string;
  /** Fetch size per partition. @default 1048576 */
  readonly maxBytesPerPartition?: number;
  /** Fail when nothing committed for this long while partitions are unfinished. @default 120000 */
  readonly idleTimeoutMs?: number;
  readonly catalogue?: EventCatalogue;
  /** The live projector's recordedAt trust policy (PROJECTOR_*), so a rebuild refuses the same records. @default trust every producer */
  readonly recordedAtPolicy?: RecordedAtPolicy;
  /** @default silent */
  readonly logger?: Logger;
}

/**
 * A rebuild's Kafka phase ({@link RebuildKafkaPhase} of `@timeline/store`): the live projector's
 * {@link ProjectionRunner} — same fence (advisory lock + offset row), decoding, recordedAt rules and
 * savepoint fallback — writing into the version being built, with a stop point at the high
 * watermarks seen when the phase started, and poison skipped (the live projector dead-lettered it).
 *
 * Its consumer group is its own and unique per run; offsets are never committed to Kafka: the
 * version's `projector_offsets` rows are the truth, and after a crash the run is sought back to them
 * on `GROUP_JOIN`. Any failure ends the run (the rebuild is resumed from those offsets).
 */
export class KafkaRebuildPhase implements RebuildKafkaPhase {
  private readonly logger: Logger;

  constructor(private readonly opts: KafkaRebuildPhaseOptions) {
    this.logger = opts.logger ?? createLogger('rebuild', 'silent');
  }

  async watermarks(): Promise<readonly PartitionRange[] | undefined> {
    const admin = this.opts.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(this.opts.topic)) return undefined;
      return (await new PartitionWatermarks(admin).all(this.opts.topic)).sort((a, b) => a.partition - b.partition);
    } finally {
      await admin.disconnect();
    }
  }

  async build(build: KafkaBuild): Promise<void> {
    const { kafka, ds, topic } = this.opts;
    const groupId = rebuildGroupId(this.opts.projectorGroupId, build.projection);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const watermarks = new PartitionWatermarks(admin);
      const catalogue = this.opts.catalogue ?? defaultCatalogue;
      const applier = new PartitionBatchApplier({
        ds,
        catalogue,
        writer: new TimelineProjectionWriter(catalogue),
        offsets: new OffsetStore(),
        watermarks,
        logger: this.logger,
        target: { kind: 'version', name: build.projection },
        poison: 'skip',
        ...(this.opts.recordedAtPolicy ? { recordedAtPolicy: this.opts.recordedAtPolicy } : {}),
      });
      const { counts } = build;
      const runner = new ProjectionRunner(kafka, applier, watermarks, this.logger, {
        topic,
        consumer: { groupId, maxBytesPerPartition: this.opts.maxBytesPerPartition ?? 1_048_576, sessionTimeoutMs: 30_000 },
        stopAt: build.end,
        maxMessagesPerTransaction: build.chunkSize,
        onFailure: 'stop',
        maxGapSeeks: 3,
        // What `cli skip` moved the live projection past, the rebuild reads over the same way (issue 11).
        operatorSkips: await skippedRanges(ds, topic),
        ...(this.opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: this.opts.idleTimeoutMs } : {}),
        afterCommit: async (b) => {
          counts.read += b.read;
          counts.applied += b.counts.applied;
          counts.duplicates += b.counts.duplicate;
          counts.deferred += b.counts.deferred;
          counts.rejected += b.poison.rejected;
          counts.undecodable += b.poison.undecodable;
          counts.unstorable += b.poison.unstorable;
          await build.onChunk(b.read);
        },
      });
      try {
        await runner.runToEnd(build.signal);
      } catch (err) {
        if (err instanceof MissingOffsetsError) {
          throw new RebuildRequestError(`${err.message}; rebuild from the archive instead (--from event-log)`);
        }
        throw err;
      }
    } finally {
      // Best effort: an empty group without committed offsets expires on its own.
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/**
 * The consumer group of one run of a rebuild of `projection`. Unique per run: a killed run's member
 * stays in its group until the session times out, and a resumed run must not wait for that. Nothing
 * is lost by a new group — positions live in Postgres, not in Kafka.
 */
export function rebuildGroupId(projectorGroupId: string, projection: string): string {
  return `${projectorGroupId}.rebuild.${projection}.${randomBytes(4).toString('hex')}`;
}
