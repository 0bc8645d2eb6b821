import type { KafkaMessage } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import type { EventCatalogue, RecordedAtPolicy } from '@timeline/events';
import { EVENT_HEADERS, type DeadLetter, type DeadLetterPublisher } from '@timeline/kafka';
import type { Logger } from '@timeline/observability';
import {
  applyIsolatingUnstorable,
  notifyTimeline,
  type OffsetStore,
  type PositionedEvent,
  type TimelineProjectionWriter,
} from '@timeline/store';
import { decodeKafkaMessage } from './kafka-message-decoder.js';
import type { PartitionWatermarks } from './partition-watermarks.js';

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

/** Outcome of one message in a batch (the live projector's metric labels). */
export type MessageOutcome = 'applied' | 'duplicate' | 'deferred' | 'dead_lettered' | 'fenced';

/** Why a message of the batch was not applied although it is at or above the stored offset. */
export type PoisonKind = 'undecodable' | 'unstorable' | 'rejected';

/** What the transaction did. */
export type BatchOutcome =
  | {
      readonly kind: 'committed';
      readonly projection: string;
      /** The partition's new stored next offset. */
      readonly nextOffset: string;
      /** Offset to hand to kafkajs `resolveOffset`. */
      readonly lastOffset: string;
      /** Messages at or above the stored offset (the ones this transaction was about). */
      readonly read: number;
      /** `dead_lettered` counts what was published; with `poison: 'skip'` it stays 0. */
      readonly counts: Readonly<Record<MessageOutcome, number>>;
      /** Messages not applied, by why — dead-lettered or skipped alike. */
      readonly poison: Readonly<Record<PoisonKind, number>>;
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
 * Which projection version the batches go to.
 * - `active`: the live projector's — read from `active_projection` `FOR SHARE` in every transaction
 *   (a rebuild's switch waits for it), with `pg_notify('timeline', …)` for the API's listeners.
 * - `version`: a version being built by a rebuild; nobody reads it yet, so no notification.
 */
export type ProjectionTarget = { readonly kind: 'active' } | { readonly kind: 'version'; readonly name: string };

/** Options of {@link PartitionBatchApplier}. */
export interface PartitionBatchApplierOptions {
  readonly ds: DataSource;
  readonly catalogue: EventCatalogue;
  readonly writer: TimelineProjectionWriter;
  readonly offsets: OffsetStore;
  readonly watermarks: PartitionWatermarks;
  readonly logger: Logger;
  /** @default { kind: 'active' } */
  readonly target?: ProjectionTarget;
  /**
   * What happens to a message that cannot be applied: published to the dead-letter topic (the live
   * projector), or `'skip'` — counted only (a rebuild: the live projector already dead-lettered it).
   */
  readonly poison: DeadLetterPublisher | 'skip';
  /** The recordedAt trust policy (PROJECTOR_*). @default trust every producer */
  readonly recordedAtPolicy?: RecordedAtPolicy;
  /** Called for every dead letter published (metrics). */
  readonly onDeadLetter?: (letter: DeadLetter) => void;
}

/**
 * Applies one Kafka batch of one partition in ONE Postgres transaction (ARCHITECTURE.md data flow),
 * for the live projector and a rebuild's Kafka phase alike:
 *
 * 1. `active_projection FOR SHARE` (live target), then the partition's fence
 *    ({@link OffsetStore.lockPartition}: advisory lock + `projector_offsets` row `FOR UPDATE`).
 * 2. Messages below the stored offset are skipped (already applied — possibly by another instance);
 *    a batch that starts above it would leave a gap, so nothing is written and the consumer seeks back.
 * 3. Every message is decoded again with the catalogue; valid events go to the writer in one bulk
 *    call, poison ones become dead letters. Postgres may still refuse a value the catalogue allowed
 *    (a date outside its range): then each event is retried alone under a savepoint and only the
 *    refused ones are dead-lettered (`EVENT.UNSTORABLE`; `applyIsolatingUnstorable` in `@timeline/store`).
 * 4. Dead letters are published and acknowledged by Kafka BEFORE the commit. If the send fails, the
 *    transaction rolls back and the batch is retried: a poison message is never skipped without a
 *    durable record of it. The price is at-least-once dead letters — a crash between the DLQ ack and
 *    the commit sends it again on retry (operators de-duplicate by the `dlq.original*` headers).
 *    With `poison: 'skip'` (a rebuild) they are only counted.
 * 5. The partition's next offset is stored, `pg_notify('timeline', …)` queued (live target only), and
 *    the transaction commits; only then does the caller resolve/commit the offset in Kafka.
 */
export class PartitionBatchApplier {
  /** Backend pids of the connections running a batch transaction right now (for {@link cancelInFlight}). */
  private readonly inFlight = new Set<number>();
  private readonly target: ProjectionTarget;
  /** Server process id of each pooled connection (asked once per connection). */
  private readonly backendPids = new WeakMap<object, number>();

  constructor(private readonly opts: PartitionBatchApplierOptions) {
    this.target = opts.target ?? { kind: 'active' };
  }

  /** The stored next offsets of `topic` for the target version (no locks: for seeking after a rebalance). */
  positions(topic: string): Promise<{ projection: string; offsets: Map<number, string> }> {
    return this.opts.offsets.positions(this.opts.ds, topic, this.target.kind === 'version' ? this.target.name : undefined);
  }

  /** Runs the batch transaction; throws (after rolling back) on any failure, for the caller to classify. */
  async apply(batch: PartitionBatch, hooks: BatchHooks): Promise<BatchOutcome> {
    const { topic, partition } = batch;
    const q = this.opts.ds.createQueryRunner();
    // QueryRunner.connect() hands out the pooled driver connection: its server process id is asked
    // once per connection (pg_backend_pid(), public SQL) and remembered, for cancelInFlight().
    const connection = (await q.connect()) as object;
    let backendPid = this.backendPids.get(connection);
    if (backendPid === undefined) {
      backendPid = Number(((await q.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[])[0]!.pid);
      this.backendPids.set(connection, backendPid);
    }
    this.inFlight.add(backendPid);
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
      this.inFlight.delete(backendPid);
      await q
        .release()
        .catch((err: unknown) => this.opts.logger.warn({ err, topic, partition }, 'could not release a database connection'));
    }
  }

  /**
   * Moves the target projection's stored offset of `partition` from `range.from` to `range.to` when
   * it is exactly `range.from`; otherwise writes nothing. Returns the new next offset, or undefined.
   * Fenced like a batch (same advisory lock and row lock). Used for offsets that hold nothing to apply:
   *
   * - transaction markers and aborted records, which kafkajs consumes without calling eachBatch:
   *   without this a partition whose log ends in them never reaches its high watermark (issue 11);
   * - in a rebuild, a record batch that cannot be decoded inside a range `cli skip` recorded for the
   *   live projection (the rebuild reads over it the same way; issue 11).
   */
  async advancePastMarkers(topic: string, partition: number, range: SkippedRange): Promise<string | undefined> {
    const { ds, offsets, watermarks, logger } = this.opts;
    const q = ds.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction('READ COMMITTED');
      try {
        const projection = this.target.kind === 'active' ? await offsets.activeProjection(q) : this.target.name;
        const stored = await offsets.lockPartition(q, projection, topic, partition);
        const expected = BigInt(stored ?? (await watermarks.low(topic, partition)));
        if (expected !== BigInt(range.from) || BigInt(range.to) <= expected) {
          await q.rollbackTransaction();
          return undefined;
        }
        await offsets.save(q, projection, topic, partition, range.to);
        await q.commitTransaction();
        return range.to;
      } catch (err) {
        await q.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await q.release().catch((err: unknown) => logger.warn({ err, topic, partition }, 'could not release a database connection'));
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
    await this.opts.ds.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    return pids.length;
  }

  private async inTransaction(q: QueryRunner, batch: PartitionBatch, hooks: BatchHooks): Promise<BatchOutcome> {
    const { topic, partition } = batch;
    const { offsets, watermarks } = this.opts;
    const projection = this.target.kind === 'active' ? await offsets.activeProjection(q) : this.target.name;
    const stored = await offsets.lockPartition(q, projection, topic, partition);
    const expected = BigInt(stored ?? (await watermarks.low(topic, partition)));
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
    // Nothing new — unless the batch ends in offsets above the stored one that hold no record
    // (transaction markers, or messages a stop point cut off): then only the offset moves.
    if (fresh.length === 0 && BigInt(batch.lastOffset) < expected) {
      return { kind: 'seek', projection, offset: expected.toString(), reason: 'behind' };
    }

    const valid: PositionedEvent[] = [];
    const letters: DeadLetter[] = [];
    const poison = { undecodable: 0, unstorable: 0, rejected: 0 };
    const byOffset = new Map<string, KafkaMessage>();
    for (const m of fresh) {
      byOffset.set(m.offset, m);
      const d = decodeKafkaMessage(this.opts.catalogue, m.value, m.timestamp, {
        producer: m.headers?.[EVENT_HEADERS.producer]?.toString(),
        policy: this.opts.recordedAtPolicy,
      });
      if (d.ok) valid.push({ event: d.event, original: d.original, position: { topic, partition, offset: m.offset } });
      else {
        poison.undecodable++;
        letters.push(letter(topic, partition, m, d.code, d.reason));
      }
    }

    const { result, unstorable } = await applyIsolatingUnstorable(this.opts.writer, q, projection, valid, { logger: this.opts.logger });
    poison.unstorable = unstorable.length;
    poison.rejected = result.rejected.length;
    letters.push(...unstorable.map((u) => letter(topic, partition, byOffset.get(u.position.offset)!, 'EVENT.UNSTORABLE', u.reason)));
    for (const r of result.rejected) {
      const m = r.position.topic === topic && r.position.partition === partition ? byOffset.get(r.position.offset) : undefined;
      if (m) letters.push(letter(topic, partition, m, r.code, r.message));
      else if (this.opts.poison !== 'skip') {
        // A correction rejected when its target finally arrived came from an earlier batch: send what was kept.
        letters.push({
          topic: r.position.topic || topic,
          partition: r.position.partition,
          offset: r.position.offset,
          key: null,
          value: JSON.stringify(await archivedEnvelope(q, r.eventId)),
          reasonCode: r.code,
          reason: r.message,
        });
      }
    }
    await hooks.heartbeat();

    let deadLettered = 0;
    if (letters.length > 0 && this.opts.poison !== 'skip') {
      await this.opts.poison.publish(letters);
      deadLettered = letters.length;
      for (const l of letters) {
        this.opts.onDeadLetter?.(l);
        this.opts.logger.warn(
          { topic: l.topic, partition: l.partition, offset: l.offset, reasonCode: l.reasonCode, reason: l.reason },
          'message dead-lettered',
        );
      }
    }

    const lastOffset = [BigInt(batch.lastOffset), ...fresh.map((m) => BigInt(m.offset))].reduce((a, b) => (b > a ? b : a));
    const nextOffset = (lastOffset + 1n).toString();
    await offsets.save(q, projection, topic, partition, nextOffset);
    if (this.target.kind === 'active' && result.entryIds.length > 0) {
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
      read: fresh.length,
      counts: {
        applied: result.applied.length + result.resolvedPending.length,
        duplicate: result.duplicates.length,
        deferred: result.deferred.length,
        dead_lettered: deadLettered,
        fenced,
      },
      poison,
    };
  }
}

async function archivedEnvelope(q: QueryRunner, eventId: string): Promise<unknown> {
  const r = (await q.query('SELECT envelope FROM event_log WHERE event_id = $1', [eventId], true)) as {
    records: { envelope: unknown }[];
  };
  return r.records[0]?.envelope ?? { eventId };
}

function letter(topic: string, partition: number, m: KafkaMessage, code: string, reason: string): DeadLetter {
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
