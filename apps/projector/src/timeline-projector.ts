import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@timeline/config';
import { undecodableBatchOf, type UndecodableBatch } from '@timeline/kafka';
import type { Logger } from '@timeline/observability';
import { classifyFailure } from './failure-classifier.js';
import type { OffsetStore } from './offset-store.js';
import type { BatchOutcome, PartitionBatchApplier, SkippedRange } from './partition-batch-applier.js';
import type { PartitionWatermarks } from './partition-watermarks.js';
import type { ProjectorMetrics } from './projector-metrics.js';
import { PartitionParking } from './partition-parking.js';

/** Lifecycle of the consumer, as /health reports it (`joining`: connecting and joining the group, not consuming yet). */
export type ProjectorState = 'idle' | 'joining' | 'running' | 'stopping' | 'stopped' | 'failed';

/** Options of {@link TimelineProjector}. */
export interface TimelineProjectorOptions {
  /** Backoff before retrying a batch after an outage: first delay. @default 250 */
  readonly initialRetryMs?: number;
  /** Backoff cap. Kept below the session timeout; heartbeats continue while waiting. @default 15000 */
  readonly maxRetryMs?: number;
  /** On stop, how long a batch in flight may run before its statement is cancelled. @default 3000 */
  readonly shutdownGraceMs?: number;
}

/**
 * The Kafka side of the projector: a kafkajs consumer in group `config.projector.groupId` that hands
 * each partition batch to the {@link PartitionBatchApplier} (one Postgres transaction) and only then
 * resolves and commits the offset in Kafka — a copy for lag tools; Postgres holds the truth.
 *
 * - `autoCommit: false`, `eachBatchAutoResolve: false`: kafkajs never moves past a batch on its own.
 * - kafkajs has no rebalance listener; on `GROUP_JOIN` the assigned partitions are paused, sought
 *   to the offsets stored in Postgres, and resumed. kafkajs's `seek` is only a request applied at the
 *   next fetch (and ignored for partitions not assigned), and a fetch may already be in flight, so the
 *   transaction's fence — not this seek — is what guarantees correctness; the seek saves re-reading.
 * - Infrastructure failures are retried with exponential backoff, forever, heartbeating meanwhile:
 *   an outage stalls the partition, it never skips. Unexpected errors stop the process (no commit).
 */
export class TimelineProjector {
  private consumer: Consumer | undefined;
  private stateValue: ProjectorState = 'idle';
  private assignedPartitions: number[] = [];
  private stopping = false;
  private readonly skipped = new Map<number, SkippedRange>();
  /** Partitions paused at a batch that cannot be decoded (issue 11). */
  readonly parking = new PartitionParking();
  private unparkTimer: NodeJS.Timeout | undefined;
  private readonly fatalListeners: ((err: unknown) => void)[] = [];
  private assignment: Promise<void> = Promise.resolve();
  /** Offsets past transaction markers being stored, one range after another. */
  private markers: Promise<void> = Promise.resolve();
  private readonly initialRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly shutdownGraceMs: number;

  constructor(
    private readonly config: AppConfig,
    private readonly kafka: Kafka,
    private readonly ds: DataSource,
    private readonly applier: PartitionBatchApplier,
    private readonly offsets: OffsetStore,
    private readonly watermarks: PartitionWatermarks,
    private readonly metrics: ProjectorMetrics,
    private readonly logger: Logger,
    opts: TimelineProjectorOptions = {},
  ) {
    this.initialRetryMs = opts.initialRetryMs ?? 250;
    this.maxRetryMs = opts.maxRetryMs ?? 15_000;
    this.shutdownGraceMs = opts.shutdownGraceMs ?? 3_000;
  }

  get state(): ProjectorState {
    return this.stateValue;
  }

  /** Partitions of the events topic this instance owns since the last rebalance. */
  get assigned(): readonly number[] {
    return this.assignedPartitions;
  }

  private get topic(): string {
    return this.config.kafka.eventsTopic;
  }

  /** Registers a callback for an unrecoverable failure (the process should exit non-zero). */
  onFatal(listener: (err: unknown) => void): void {
    this.fatalListeners.push(listener);
  }

  /**
   * Joins the group and starts consuming; resolves once the first assignment arrived. A failure
   * (other than one caused by {@link stop}) is reported to the {@link onFatal} listeners, then thrown.
   */
  async start(): Promise<void> {
    try {
      await this.connectAndRun();
    } catch (err) {
      if (!this.stopping) this.fail(err);
      throw err;
    }
  }

  private async connectAndRun(): Promise<void> {
    this.stateValue = 'joining';
    const consumer = this.kafka.consumer({
      groupId: this.config.projector.groupId,
      maxBytesPerPartition: this.config.projector.maxBytesPerPartition,
      sessionTimeout: this.config.projector.sessionTimeoutMs,
      // Kafka's guidance: heartbeat at most every third of the session timeout.
      heartbeatInterval: Math.min(3_000, Math.floor(this.config.projector.sessionTimeoutMs / 3)),
      rebalanceTimeout: 60_000,
      allowAutoTopicCreation: false,
      readUncommitted: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const partitions = [...(e.payload.memberAssignment[this.topic] ?? [])].sort((a, b) => a - b);
      this.parking.retain(this.topic, partitions);
      this.metrics.parkedPartitions.reset();
      for (const p of this.parking.list()) this.metrics.parkedPartitions.set({ partition: String(p.partition), cause: p.cause }, 1);
      this.assignment = this.assignment.then(() => this.seekToStoredOffsets(consumer, partitions));
    });
    // Ranges kafkajs consumed without delivering (only transaction markers and aborted records): not a
    // gap for the next batch (see the applier), and stored at once, so a log ending in markers is
    // caught up (issue 11).
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      const p = e.payload;
      if (p.topic === this.topic && p.batchSize === 0 && p.firstOffset != null) {
        const range = { from: p.firstOffset, to: (BigInt(p.lastOffset) + 1n).toString() };
        this.skipped.set(p.partition, range);
        this.markers = this.markers.then(() => this.advancePastMarkers(p.partition, range));
      }
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (e.payload.restart) this.logger.warn({ err: e.payload.error }, 'Kafka consumer crashed; kafkajs restarts it');
      else this.fail(e.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // One transaction per partition batch; a few partitions at a time, leaving pool connections for health checks.
      partitionsConsumedConcurrently: Math.max(1, Math.min(4, this.config.database.poolSize - 2)),
      eachBatch: (payload) => this.handleBatch(payload),
    });
    // A parked partition resumes once `cli skip` moved its stored offset past the bad batch.
    this.unparkTimer = setInterval(() => void this.releaseParked(), 2_000);
    this.unparkTimer.unref();
    // stop() may have run while the group was being joined: it owns the state from then on.
    if (this.stopping) return;
    this.stateValue = 'running';
    this.logger.info({ topic: this.topic, groupId: this.config.projector.groupId }, 'projector consuming');
  }

  /**
   * Stops consuming: kafkajs lets the in-flight batch finish (its transaction commits) or, when it is
   * waiting to retry, abandons it (rolled back, nothing resolved) — never half-applied.
   */
  async stop(): Promise<void> {
    if (!this.consumer || this.stateValue === 'stopped') return;
    this.stopping = true;
    clearInterval(this.unparkTimer);
    if (this.stateValue !== 'failed') this.stateValue = 'stopping';
    // kafkajs's disconnect waits for the batch in flight. One blocked on a lock (e.g. the fence row an
    // instance that took over holds) or a slow query would outlast the shutdown limit, so after a grace
    // period its statement is cancelled: the transaction rolls back whole and the batch is not resolved.
    const cancel = setTimeout(() => {
      this.applier
        .cancelInFlight()
        .then((n) => n > 0 && this.logger.warn({ batches: n }, 'shutdown: cancelled the batch transactions still running'))
        .catch((err: unknown) => this.logger.warn({ err: describe(err) }, 'shutdown: could not cancel the batch in flight'));
    }, this.shutdownGraceMs);
    try {
      await this.consumer.disconnect();
    } finally {
      clearTimeout(cancel);
    }
    if (this.stateValue !== 'failed') this.stateValue = 'stopped';
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    // A batch that cannot be decoded (the guard's marker): project what came before it, then park.
    const markerAt = batch.messages.findIndex((m) => undecodableBatchOf(m) !== undefined);
    const messages = markerAt >= 0 ? batch.messages.slice(0, markerAt) : batch.messages;
    const lastOffset = markerAt >= 0 ? messages.at(-1)?.offset : batch.lastOffset();
    const park = () => this.park(topic, partition, undecodableBatchOf(batch.messages[markerAt]!)!);
    if (markerAt === 0 || lastOffset === undefined) return park();
    // A rebalance noticed mid-transaction must not abort it (the fence keeps a late commit harmless);
    // it is re-thrown after the commit so kafkajs rejoins the group promptly.
    let heartbeatError: unknown;
    const keepAlive = async () => {
      try {
        await heartbeat();
      } catch (err) {
        heartbeatError ??= err;
      }
    };
    for (let attempt = 0; ; attempt++) {
      if (this.stopping || !isRunning() || isStale()) return;
      const t0 = performance.now();
      let outcome: BatchOutcome;
      try {
        outcome = await this.applier.apply(
          {
            topic,
            partition,
            // kafkajs keeps the offset it fetched from on the batch object but leaves it out of the types.
            fetchedOffset: (batch as { fetchedOffset?: string }).fetchedOffset ?? batch.firstOffset() ?? batch.lastOffset(),
            lastOffset,
            messages,
          },
          { heartbeat: keepAlive, skipped: this.skipped.get(partition) },
        );
      } catch (err) {
        const seconds = (performance.now() - t0) / 1000;
        const kind = classifyFailure(err);
        if (kind !== 'retriable') {
          this.metrics.batches.inc({ result: 'failed' });
          this.metrics.batchDuration.observe({ result: 'failed' }, seconds);
          this.fail(err, { topic, partition });
          throw err;
        }
        this.metrics.batches.inc({ result: 'retried' });
        this.metrics.batchDuration.observe({ result: 'retried' }, seconds);
        this.metrics.retries.inc({ kind: errorKind(err) });
        const delay = Math.min(this.maxRetryMs, this.initialRetryMs * 2 ** Math.min(attempt, 16)) * (0.8 + Math.random() * 0.4);
        this.logger.warn(
          { err: describe(err), topic, partition, attempt: attempt + 1, retryInMs: Math.round(delay) },
          'batch failed on an infrastructure error; rolled back, retrying',
        );
        await this.pause(delay, keepAlive, isRunning);
        if (heartbeatError) throw heartbeatError;
        continue;
      }
      const seconds = (performance.now() - t0) / 1000;
      if (outcome.kind === 'seek') {
        this.metrics.batches.inc({ result: outcome.reason });
        this.metrics.batchDuration.observe({ result: outcome.reason }, seconds);
        const log = outcome.reason === 'gap' ? this.logger.info.bind(this.logger) : this.logger.debug.bind(this.logger);
        log(
          { topic, partition, fetchedOffset: batch.firstOffset(), storedOffset: outcome.offset, reason: outcome.reason },
          outcome.reason === 'gap' ? 'batch starts after the stored offset; seeking back' : 'batch already applied; seeking ahead',
        );
        if (outcome.reason === 'behind') this.metrics.messages.inc({ outcome: 'fenced' }, messages.length);
        this.consumer?.seek({ topic, partition, offset: outcome.offset });
        return;
      }
      this.metrics.batches.inc({ result: 'committed' });
      this.metrics.batchDuration.observe({ result: 'committed' }, seconds);
      this.metrics.eventsApplied.inc({ projection: outcome.projection }, outcome.counts.applied);
      for (const [k, n] of Object.entries(outcome.counts)) if (n > 0) this.metrics.messages.inc({ outcome: k }, n);
      this.logger.debug(
        { topic, partition, nextOffset: outcome.nextOffset, ...outcome.counts, ms: Math.round(seconds * 1000) },
        'batch committed',
      );
      resolveOffset(outcome.lastOffset);
      try {
        await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: outcome.nextOffset }] }] });
      } catch (err) {
        // Kafka's committed offset is only for lag tools; the stored offset already moved.
        this.logger.debug({ err: describe(err), topic, partition }, 'could not copy the offset to Kafka');
      }
      if (markerAt > 0) park();
      if (heartbeatError) throw heartbeatError;
      return;
    }
  }

  /** Pauses `partition` at its undecodable batch and says what to do (see {@link PartitionParking}). */
  private park(topic: string, partition: number, bad: UndecodableBatch): void {
    if (this.parking.isParked(topic, partition)) return;
    const p = this.parking.park(topic, partition, bad);
    this.consumer?.pause([{ topic, partitions: [partition] }]);
    this.metrics.parkedPartitions.set({ partition: String(partition), cause: bad.cause }, 1);
    this.logger.error(
      { topic, partition, firstOffset: p.firstOffset, lastOffset: p.lastOffset, cause: p.cause, detail: p.detail, remedy: p.remedy },
      `partition ${partition} parked at offset ${p.firstOffset}: a record batch that cannot be decoded (${p.cause}); the other partitions go on. ` +
        `Inspect it, then move past it with: ${p.remedy}`,
    );
  }

  /** Resumes parked partitions whose stored offset moved past the bad batch (`cli skip`). */
  private async releaseParked(): Promise<void> {
    if (this.parking.list().length === 0 || !this.consumer) return;
    try {
      const { offsets } = await this.offsets.positions(this.ds, this.topic);
      for (const p of this.parking.list()) {
        const stored = offsets.get(p.partition);
        if (!this.parking.releaseIfPast(p.topic, p.partition, stored)) continue;
        this.metrics.parkedPartitions.remove({ partition: String(p.partition), cause: p.cause });
        this.consumer.seek({ topic: p.topic, partition: p.partition, offset: stored! });
        this.consumer.resume([{ topic: p.topic, partitions: [p.partition] }]);
        this.logger.info(
          { topic: p.topic, partition: p.partition, offset: stored },
          `partition ${p.partition} resumed at offset ${stored} (moved past the parked batch)`,
        );
      }
    } catch (err) {
      this.logger.warn({ err: describe(err) }, 'could not check parked partitions; retrying');
    }
  }

  /**
   * Stores the offset after a range kafkajs consumed without a batch (see
   * {@link PartitionBatchApplier.advancePastMarkers}). Retried a few times on an infrastructure error;
   * if it still fails, the next batch of the partition carries the range (`skipped`), so nothing is
   * lost — only the lag shows the markers until then.
   */
  private async advancePastMarkers(partition: number, range: SkippedRange): Promise<void> {
    let error: unknown;
    for (let attempt = 0; attempt < 5 && !this.stopping; attempt++) {
      try {
        const next = await this.applier.advancePastMarkers(this.topic, partition, range);
        if (next) this.logger.debug({ topic: this.topic, partition, ...range }, 'stored the offset past transaction markers');
        return;
      } catch (err) {
        error = err;
        if (classifyFailure(err) !== 'retriable') break;
        await new Promise((r) => setTimeout(r, Math.min(this.maxRetryMs, this.initialRetryMs * 2 ** attempt)));
      }
    }
    if (error) {
      this.logger.warn(
        { err: describe(error), topic: this.topic, partition, ...range },
        'could not store the offset past transaction markers; the next batch of the partition will',
      );
    }
  }

  /** Seeks newly assigned partitions to the offsets stored in Postgres (see the class comment). */
  private async seekToStoredOffsets(consumer: Consumer, partitions: number[]): Promise<void> {
    this.assignedPartitions = partitions;
    this.logger.info({ topic: this.topic, partitions }, 'partitions assigned');
    if (partitions.length === 0) return;
    const tps = [{ topic: this.topic, partitions }];
    consumer.pause(tps);
    try {
      const { projection, offsets } = await this.offsets.positions(this.ds, this.topic);
      const marks = new Map((await this.watermarks.all(this.topic)).map((w) => [w.partition, w.low]));
      const seeks = partitions.map((p) => ({ partition: p, offset: offsets.get(p) ?? marks.get(p) ?? '0' }));
      for (const s of seeks) consumer.seek({ topic: this.topic, ...s });
      this.logger.info({ topic: this.topic, projection, seeks }, 'sought assigned partitions to their stored offsets');
    } catch (err) {
      this.logger.warn({ err: describe(err) }, 'could not read stored offsets after a rebalance; the batch fence will correct positions');
    } finally {
      consumer.resume(tps);
    }
  }

  /** Waits `ms`, heartbeating every 3 s; returns early when stopping. */
  private async pause(ms: number, keepAlive: () => Promise<void>, isRunning: () => boolean): Promise<void> {
    const until = Date.now() + ms;
    let lastBeat = Date.now();
    while (Date.now() < until && !this.stopping && isRunning()) {
      await new Promise((r) => setTimeout(r, Math.min(200, until - Date.now())));
      if (Date.now() - lastBeat >= 3000) {
        await keepAlive();
        lastBeat = Date.now();
      }
    }
  }

  private fail(err: unknown, context: object = {}): void {
    if (this.stateValue === 'failed') return;
    this.stateValue = 'failed';
    this.stopping = true;
    this.logger.fatal(
      { err: describe(err), ...context },
      'projector stopped on an unrecoverable error; nothing was committed for the failed batch',
    );
    setImmediate(() => this.fatalListeners.forEach((l) => l(err)));
  }
}

function describe(err: unknown): { message: string; name?: string; code?: unknown } {
  if (err instanceof Error) return { name: err.name, message: err.message, code: (err as { code?: unknown }).code };
  return { message: String(err) };
}

function errorKind(err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  return name.startsWith('KafkaJS') || name === 'KafkaPublishError' ? 'kafka' : 'postgres';
}
