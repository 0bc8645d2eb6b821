import type { KafkaMessage } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import type { EventCatalogue, RecordedAtPolicy } from '@timeline/events';
import { EVENT_HEADERS, type DeadLetter, type DeadLetterPublisher } from '@timeline/kafka';
import type { Logger } from '@timeline/observability';
import { notifyTimeline, type PositionedEvent, type ProjectionApplyResult, type TimelineProjectionWriter } from '@timeline/store';
import { classifyFailure } from './failure-classifier.js';
import { decodeKafkaMessage } from './kafka-message-decoder.js';
import type { OffsetStore } from './offset-store.js';
import type { PartitionWatermarks } from './partition-watermarks.js';
import type { ProjectorMetrics } from './projector-metrics.js';

/** The part of a kafkajs batch the applier needs. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  /** The offset the consumer fetched from (kafkajs `Batch.fetchedOffset`). */
  readonly fetchedOffset: string;
  /** Last offset of the batch, trailing transaction markers included (kafkajs `batch.lastOffset()`). */
  readonly lastOffset: string;
  readonly messages: readonly KafkaMessage[];
}

/** Offsets `[from, to)` the consumer skipped because they held no deliverable record (transaction markers). */
export interface SkippedRange {
  readonly from: string;
  readonly to: string;
}

/** What the transaction did. */
export type BatchOutcome =
  | {
      readonly kind: 'committed';
      readonly projection: string;
      /** The partition's new stored next offset. */
      readonly nextOffset: string;
      /** Offset to hand to kafkajs `resolveOffset`. */
      readonly lastOffset: string;
      readonly counts: Readonly<Record<'applied' | 'duplicate' | 'deferred' | 'dead_lettered' | 'fenced', number>>;
    }
  /** Nothing written: the consumer must continue from `offset` (a gap below the batch, or a batch wholly already applied). */
  | { readonly kind: 'seek'; readonly projection: string; readonly offset: string; readonly reason: 'gap' | 'behind' };

/** Hooks from the consumer. */
export interface BatchHooks {
  /** Keeps the group membership alive during long work; must not throw. */
  heartbeat(): Promise<void>;
  /** What the consumer skipped most recently on this partition without delivering it, if anything. */
  skipped?: SkippedRange;
}

/**
 * Applies one Kafka batch of one partition in ONE Postgres transaction (ARCHITECTURE.md data flow):
 *
 * 1. `active_projection FOR SHARE`, then the partition's `projector_offsets` row `FOR UPDATE` (fence).
 * 2. Messages below the stored offset are skipped (already applied — possibly by another instance);
 *    a batch that starts above it would leave a gap, so nothing is written and the consumer seeks back.
 * 3. Every message is decoded again with the catalogue; valid events go to the writer in one bulk
 *    call, poison ones become dead letters. Postgres may still refuse a value the catalogue allowed
 *    (a date outside its range): then each event is retried alone under a savepoint and only the
 *    refused ones are dead-lettered (`EVENT.UNSTORABLE`).
 * 4. Dead letters are published and acknowledged by Kafka BEFORE the commit. If the send fails, the
 *    transaction rolls back and the batch is retried: a poison message is never skipped without a
 *    durable record of it. The price is at-least-once dead letters — a crash between the DLQ ack and
 *    the commit sends it again on retry (operators de-duplicate by the `dlq.original*` headers).
 * 5. The partition's next offset is stored, `pg_notify('timeline', …)` queued, and the transaction
 *    commits; only then does the caller resolve/commit the offset in Kafka.
 */
export class PartitionBatchApplier {
  /** Backend pids of the connections running a batch transaction right now (for {@link cancelInFlight}). */
  private readonly inFlight = new Set<number>();

  constructor(
    private readonly ds: DataSource,
    private readonly catalogue: EventCatalogue,
    private readonly writer: TimelineProjectionWriter,
    private readonly offsets: OffsetStore,
    private readonly watermarks: PartitionWatermarks,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: ProjectorMetrics,
    private readonly logger: Logger,
    private readonly recordedAtPolicy: RecordedAtPolicy = {},
  ) {}

  /** Runs the batch transaction; throws (after rolling back) on any failure, for the caller to classify. */
  async apply(batch: PartitionBatch, hooks: BatchHooks): Promise<BatchOutcome> {
    const { topic, partition } = batch;
    const q = this.ds.createQueryRunner();
    await q.connect();
    // node-postgres keeps the server process id of each connection (from BackendKeyData).
    const backendPid = (q as unknown as { databaseConnection?: { processID?: number } }).databaseConnection?.processID;
    if (backendPid) this.inFlight.add(backendPid);
    try {
      await q.startTransaction('READ COMMITTED');
      try {
        const outcome = await this.inTransaction(q, batch, hooks);
        if (outcome.kind === 'committed') await q.commitTransaction();
        else await q.rollbackTransaction();
        return outcome;
      } catch (err) {
        await q.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      if (backendPid) this.inFlight.delete(backendPid);
      await q.release().catch((err: unknown) => this.logger.warn({ err, topic, partition }, 'could not release a database connection'));
    }
  }

  /**
   * Stores the offset after `range` — offsets that held only transaction markers and records of
   * aborted transactions, which kafkajs consumes without calling eachBatch — when the partition's
   * stored offset is exactly `range.from`; otherwise writes nothing. Returns the new next offset, or
   * undefined when nothing was written.
   *
   * Why (issue 11): without it the stored offset of a partition whose log ends in markers (a foreign
   * producer's last transaction aborted, or its commit marker fetched alone), or that holds only
   * aborted records, never reaches the high watermark: lag stays above 0 until some later record
   * arrives. Fenced like a batch (same row lock), and harmless from any instance: the range holds
   * nothing to apply.
   */
  async advancePastMarkers(topic: string, partition: number, range: SkippedRange): Promise<string | undefined> {
    const q = this.ds.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction('READ COMMITTED');
      try {
        const projection = await this.offsets.activeProjection(q);
        const stored = await this.offsets.lockPartition(q, projection, topic, partition);
        const expected = BigInt(stored ?? (await this.watermarks.low(topic, partition)));
        if (expected !== BigInt(range.from) || BigInt(range.to) <= expected) {
          await q.rollbackTransaction();
          return undefined;
        }
        await this.offsets.save(q, projection, topic, partition, range.to);
        await q.commitTransaction();
        return range.to;
      } catch (err) {
        await q.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await q.release().catch((err: unknown) => this.logger.warn({ err, topic, partition }, 'could not release a database connection'));
    }
  }

  /**
   * Cancels the statements of every batch transaction in flight (`pg_cancel_backend`), for a shutdown
   * that must not wait for a batch stuck behind a lock or a slow query. The cancelled statement fails
   * with 57014 and its transaction rolls back whole — never half-applied; a batch already committing
   * is not interrupted (PostgreSQL holds cancels during COMMIT), so each batch either commits or not.
   */
  async cancelInFlight(): Promise<number> {
    const pids = [...this.inFlight];
    if (pids.length === 0) return 0;
    await this.ds.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    return pids.length;
  }

  private async inTransaction(q: QueryRunner, batch: PartitionBatch, hooks: BatchHooks): Promise<BatchOutcome> {
    const { topic, partition } = batch;
    const projection = await this.offsets.activeProjection(q);
    const stored = await this.offsets.lockPartition(q, projection, topic, partition);
    const expected = BigInt(stored ?? (await this.watermarks.low(topic, partition)));
    const fetched = BigInt(batch.fetchedOffset);

    if (fetched > expected) {
      // The consumer moved past offsets never applied (kafkajs started from Kafka's committed offset,
      // or a seek raced a rebalance). Unless the consumer told us those offsets held only transaction
      // markers, nothing here may be written: seek back to the stored offset.
      const skipped = hooks.skipped;
      if (!skipped || BigInt(skipped.from) !== expected || BigInt(skipped.to) !== fetched) {
        return { kind: 'seek', projection, offset: expected.toString(), reason: 'gap' };
      }
    }
    const fresh = batch.messages.filter((m) => BigInt(m.offset) >= expected);
    const fenced = batch.messages.length - fresh.length;
    if (fresh.length === 0) return { kind: 'seek', projection, offset: expected.toString(), reason: 'behind' };

    const valid: PositionedEvent[] = [];
    const letters: DeadLetter[] = [];
    const byOffset = new Map<string, KafkaMessage>();
    for (const m of fresh) {
      byOffset.set(m.offset, m);
      const d = decodeKafkaMessage(this.catalogue, m.value, m.timestamp, {
        producer: m.headers?.[EVENT_HEADERS.producer]?.toString(),
        policy: this.recordedAtPolicy,
      });
      if (d.ok) valid.push({ event: d.event, original: d.original, position: { topic, partition, offset: m.offset } });
      else letters.push(this.letter(topic, partition, m, d.code, d.reason));
    }

    const { result, unstorable } = await this.applyEvents(q, projection, valid);
    letters.push(...unstorable.map((u) => this.letter(topic, partition, byOffset.get(u.offset)!, 'EVENT.UNSTORABLE', u.reason)));
    for (const r of result.rejected) {
      const m = r.position.topic === topic && r.position.partition === partition ? byOffset.get(r.position.offset) : undefined;
      if (m) letters.push(this.letter(topic, partition, m, r.code, r.message));
      else {
        // A correction rejected when its target finally arrived came from an earlier batch: send what was kept.
        letters.push({
          topic: r.position.topic || topic,
          partition: r.position.partition,
          offset: r.position.offset,
          key: null,
          value: JSON.stringify(await this.archivedEnvelope(q, r.eventId)),
          reasonCode: r.code,
          reason: r.message,
        });
      }
    }
    await hooks.heartbeat();

    if (letters.length > 0) {
      await this.deadLetters.publish(letters);
      for (const l of letters) {
        this.metrics.deadLetters.inc({ reason_code: l.reasonCode });
        this.logger.warn(
          { topic: l.topic, partition: l.partition, offset: l.offset, reasonCode: l.reasonCode, reason: l.reason },
          'message dead-lettered',
        );
      }
    }

    const lastOffset = [BigInt(batch.lastOffset), ...fresh.map((m) => BigInt(m.offset))].reduce((a, b) => (b > a ? b : a));
    const nextOffset = (lastOffset + 1n).toString();
    await this.offsets.save(q, projection, topic, partition, nextOffset);
    if (result.entryIds.length > 0) {
      await notifyTimeline(q, {
        projection,
        topic,
        partition,
        fromOffset: fresh[0]!.offset,
        toOffset: nextOffset,
        entryIds: result.entryIds,
      });
    }
    return {
      kind: 'committed',
      projection,
      nextOffset,
      lastOffset: lastOffset.toString(),
      counts: {
        applied: result.applied.length + result.resolvedPending.length,
        duplicate: result.duplicates.length,
        deferred: result.deferred.length,
        dead_lettered: letters.length,
        fenced,
      },
    };
  }

  /**
   * One bulk call; if Postgres refuses a value (SQLSTATE class 22/54), each event is applied alone
   * under a savepoint so only the refused ones are set aside.
   */
  private async applyEvents(
    q: QueryRunner,
    projection: string,
    events: PositionedEvent[],
  ): Promise<{ result: ProjectionApplyResult; unstorable: { offset: string; reason: string }[] }> {
    await q.query('SAVEPOINT projector_batch');
    try {
      const result = await this.writer.apply(q, projection, events);
      await q.query('RELEASE SAVEPOINT projector_batch');
      return { result, unstorable: [] };
    } catch (err) {
      if (classifyFailure(err) !== 'data') throw err;
      await q.query('ROLLBACK TO SAVEPOINT projector_batch');
      this.logger.warn({ err: String(err) }, 'Postgres refused a value in the batch; applying its events one by one');
    }
    const merged = emptyResult();
    const unstorable: { offset: string; reason: string }[] = [];
    for (const pe of events) {
      await q.query('SAVEPOINT projector_event');
      try {
        const r = await this.writer.apply(q, projection, [pe]);
        await q.query('RELEASE SAVEPOINT projector_event');
        for (const k of ['appended', 'applied', 'duplicates', 'deferred', 'resolvedPending', 'rejected', 'entryIds'] as const) {
          (merged[k] as unknown[]).push(...(r[k] as unknown[]));
        }
      } catch (err) {
        if (classifyFailure(err) !== 'data') throw err;
        await q.query('ROLLBACK TO SAVEPOINT projector_event');
        unstorable.push({
          offset: pe.position.offset,
          reason: `PostgreSQL refused the event: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
    merged.entryIds = [...new Set(merged.entryIds)];
    return { result: merged, unstorable };
  }

  private async archivedEnvelope(q: QueryRunner, eventId: string): Promise<unknown> {
    const r = (await q.query('SELECT envelope FROM event_log WHERE event_id = $1', [eventId], true)) as {
      records: { envelope: unknown }[];
    };
    return r.records[0]?.envelope ?? { eventId };
  }

  private letter(topic: string, partition: number, m: KafkaMessage, code: string, reason: string): DeadLetter {
    return {
      topic,
      partition,
      offset: m.offset,
      key: m.key ?? null,
      value: m.value ?? null,
      headers: m.headers ?? {},
      timestamp: m.timestamp,
      reasonCode: code,
      reason,
    };
  }
}

function emptyResult(): { -readonly [K in keyof ProjectionApplyResult]: ProjectionApplyResult[K] } {
  return { appended: [], applied: [], duplicates: [], deferred: [], resolvedPending: [], rejected: [], entryIds: [] };
}
