import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { undecodableBatchOf, type UndecodableBatch } from '@timeline/kafka';
import type { Logger } from '@timeline/observability';
import type { SkippedRange as OperatorSkip } from '@timeline/store';
import { classifyFailure } from './failure-classifier.js';
import { MissingOffsetsError } from './missing-offsets.error.js';
import type { BatchOutcome, MessageOutcome, PartitionBatchApplier, SkippedRange } from './partition-batch-applier.js';
import type { PartitionWatermarks } from './partition-watermarks.js';
import { PartitionParking, type ParkedPartition } from './partition-parking.js';

/** Lifecycle of the consumer, as /health reports it (`joining`: connecting and joining the group, not consuming yet). */
export type ProjectorState = 'idle' | 'joining' | 'running' | 'stopping' | 'stopped' | 'failed';

/** How a batch transaction ended: committed, nothing written (`gap`: seek back, `behind`: seek ahead), retried or failed. */
export type BatchResult = 'committed' | 'gap' | 'behind' | 'retried' | 'failed';

/** A committed batch transaction. */
export type CommittedBatch = Extract<BatchOutcome, { kind: 'committed' }> & { readonly topic: string; readonly partition: number };

/** What the runner reports as it goes (the live projector's Prometheus metrics). Every method must not throw. */
export interface ProjectionRunnerMetrics {
  batch(result: BatchResult, seconds: number): void;
  /** A failed attempt that will be retried, by what failed. */
  retry(kind: 'kafka' | 'postgres'): void;
  messages(outcome: MessageOutcome, n: number): void;
  eventsApplied(projection: string, n: number): void;
}

/** The kafkajs consumer's settings. */
export interface RunnerConsumerSettings {
  readonly groupId: string;
  /** @default 1048576 */
  readonly maxBytesPerPartition?: number;
  /** @default 30000 */
  readonly sessionTimeoutMs?: number;
  /** Partition batches in flight at once (each holds a database connection). @default 1 */
  readonly partitionsConsumedConcurrently?: number;
}

/** Options of {@link ProjectionRunner}. */
export interface ProjectionRunnerOptions {
  /** The events topic. */
  readonly topic: string;
  readonly consumer: RunnerConsumerSettings;
  /**
   * Where consuming ends: `never` (the live projector), or an offset per partition (exclusive) —
   * the high watermarks seen when a bounded run started ({@link ProjectionRunner.runToEnd}).
   * @default 'never'
   */
  readonly stopAt?: 'never' | ReadonlyMap<number, string>;
  /** Messages per transaction; a longer batch is applied in several, each committed with its offset. @default unbounded */
  readonly maxMessagesPerTransaction?: number;
  /**
   * On a failed batch: `retry` — infrastructure failures are retried with backoff, forever (an outage
   * stalls the partition, it never skips), anything else is fatal; `stop` — any failure ends the run
   * (a rebuild: it is resumed from its stored offsets). @default 'retry'
   */
  readonly onFailure?: 'retry' | 'stop';
  /**
   * With a stop point: fail with {@link MissingOffsetsError} when the broker answers from above the
   * stored offset this many times in a row (retention deleted what the run needs). @default unlimited
   */
  readonly maxGapSeeks?: number;
  /** With a stop point: fail when nothing committed for this long while partitions are unfinished. @default 120000 */
  readonly idleTimeoutMs?: number;
  /** Backoff before retrying a batch after an outage: first delay. @default 250 */
  readonly initialRetryMs?: number;
  /** Backoff cap. Kept below the session timeout; heartbeats continue while waiting. @default 15000 */
  readonly maxRetryMs?: number;
  /** On stop, how long a batch in flight may run before its statement is cancelled. @default 3000 */
  readonly shutdownGraceMs?: number;
  readonly metrics?: ProjectionRunnerMetrics;
  /**
   * A bounded run (a rebuild): the ranges `cli skip` recorded for the live projection. An
   * undecodable record batch inside one is read over the same way; any other fails the run. Without a
   * stop point (live), such a batch parks its partition instead ({@link ProjectionRunner.parking}).
   */
  readonly operatorSkips?: readonly OperatorSkip[];
  /** Told when a partition is parked or released (the projector's metric). Must not throw. */
  readonly onParking?: (event: 'parked' | 'released', partition: ParkedPartition) => void;
  /** After every committed transaction; awaited (a rebuild counts and paces itself here). */
  readonly afterCommit?: (batch: CommittedBatch) => void | Promise<void>;
}

/**
 * The one consumer loop of every projection (ARCHITECTURE.md "Live projection and rebuild run the
 * same projection runner"): a kafkajs consumer that hands each partition batch to the
 * {@link PartitionBatchApplier} (one Postgres transaction with the partition's offset) and only then
 * resolves and commits the offset in Kafka — a copy for lag tools; Postgres holds the truth. The live
 * projector runs it without a stop point, dead-lettering poison; a rebuild's Kafka phase runs it into
 * its version up to the high watermarks seen at start, skipping poison.
 *
 * - `autoCommit: false`, `eachBatchAutoResolve: false`: kafkajs never moves past a batch on its own.
 * - kafkajs has no rebalance listener; on `GROUP_JOIN` the assigned partitions are paused, sought
 *   to the offsets stored in Postgres, and resumed. kafkajs's `seek` is only a request applied at the
 *   next fetch (and ignored for partitions not assigned), and a fetch may already be in flight, so the
 *   transaction's fence — not this seek — is what guarantees correctness; the seek saves re-reading.
 * - Offsets kafkajs consumed without delivering (only transaction markers) are passed to the applier
 *   as `hooks.skipped`, so they are not mistaken for a gap.
 * - Infrastructure failures are retried with exponential backoff, forever, heartbeating meanwhile
 *   (`onFailure: 'retry'`). Unexpected errors stop the runner (no commit).
 */
export class ProjectionRunner {
  private consumer: Consumer | undefined;
  private stateValue: ProjectorState = 'idle';
  private assignedPartitions: number[] = [];
  private stopping = false;
  private readonly skipped = new Map<number, SkippedRange>();
  /** Partitions paused at a record batch that cannot be decoded (issue 11; live runs only). */
  readonly parking = new PartitionParking();
  private unparkTimer: NodeJS.Timeout | undefined;
  /** Offsets past transaction markers being stored, one range after another. */
  private markers: Promise<void> = Promise.resolve();
  private readonly gaps = new Map<number, { offset: string; times: number }>();
  private readonly fatalListeners: ((err: unknown) => void)[] = [];
  private assignment: Promise<void> = Promise.resolve();
  /** Partitions a bounded run has still to read (undefined: no stop point). */
  private unfinished: Set<number> | undefined;
  private lastProgress = Date.now();
  private settle: { resolve(): void; reject(err: unknown): void } | undefined;
  private readonly initialRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly shutdownGraceMs: number;

  constructor(
    private readonly kafka: Kafka,
    private readonly applier: PartitionBatchApplier,
    private readonly watermarks: PartitionWatermarks,
    private readonly logger: Logger,
    private readonly opts: ProjectionRunnerOptions,
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
    return this.opts.topic;
  }

  private get end(): ReadonlyMap<number, string> | undefined {
    return this.opts.stopAt === undefined || this.opts.stopAt === 'never' ? undefined : this.opts.stopAt;
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

  /**
   * A bounded run (requires `stopAt` offsets): consumes every partition from its stored offset up to
   * its stop offset, then disconnects. Rejects on the first failure, on `signal`, or when nothing
   * committed for `idleTimeoutMs`; what committed stays (the run is resumed from the stored offsets).
   */
  async runToEnd(signal?: AbortSignal): Promise<void> {
    const end = this.end;
    if (!end) throw new Error('runToEnd needs a stop point (stopAt offsets)');
    const { offsets } = await this.applier.positions(this.topic);
    const lows = new Map((await this.watermarks.all(this.topic)).map((w) => [w.partition, w.low]));
    this.unfinished = new Set([...end].filter(([p, stop]) => BigInt(offsets.get(p) ?? lows.get(p) ?? '0') < BigInt(stop)).map(([p]) => p));
    if (this.unfinished.size === 0) return;
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // Settled by a batch, the watchdog or the signal — possibly while start() fails first: never unhandled.
    done.catch(() => undefined);
    const onAbort = () => this.fail(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const idleTimeout = this.opts.idleTimeoutMs ?? 120_000;
    this.lastProgress = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - this.lastProgress > idleTimeout) {
        const left = [...(this.unfinished ?? [])].join(', ');
        this.fail(new Error(`no progress reading ${this.topic} for ${Math.round(idleTimeout / 1000)} s (partitions ${left} unfinished)`));
      }
    }, 1000);
    try {
      if (signal?.aborted) throw signal.reason;
      await Promise.race([this.start(), done]);
      await done;
    } finally {
      clearInterval(watchdog);
      signal?.removeEventListener('abort', onAbort);
      await this.stop().catch(() => undefined);
    }
  }

  private async connectAndRun(): Promise<void> {
    this.stateValue = 'joining';
    const settings = this.opts.consumer;
    const sessionTimeout = settings.sessionTimeoutMs ?? 30_000;
    const consumer = this.kafka.consumer({
      groupId: settings.groupId,
      maxBytesPerPartition: settings.maxBytesPerPartition ?? 1_048_576,
      sessionTimeout,
      // Kafka's guidance: heartbeat at most every third of the session timeout.
      heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
      rebalanceTimeout: 60_000,
      // How long an idle fetch waits at the broker. Records are returned as soon as they arrive either
      // way; stopping waits for the fetch in flight, so kafkajs's 5 s made every shutdown and every
      // bounded (rebuild) run end 5 s late.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
      readUncommitted: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const partitions = [...(e.payload.memberAssignment[this.topic] ?? [])].sort((a, b) => a - b);
      for (const p of this.parking.list()) if (!partitions.includes(p.partition)) this.opts.onParking?.('released', p);
      this.parking.retain(this.topic, partitions);
      this.assignment = this.assignment.then(() => this.seekToStoredOffsets(consumer, partitions));
    });
    // Ranges kafkajs consumed without delivering (only transaction markers and aborted records): not a
    // gap for the next batch (see the applier), and stored at once, so a log ending in markers is
    // caught up — and a bounded run finishes such a partition (issue 11).
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      const p = e.payload;
      if (p.topic === this.topic && p.batchSize === 0 && p.firstOffset != null) {
        const stop = this.end?.get(p.partition);
        const to = BigInt(p.lastOffset) + 1n;
        const range = { from: p.firstOffset, to: (stop !== undefined && BigInt(stop) < to ? BigInt(stop) : to).toString() };
        this.skipped.set(p.partition, range);
        this.markers = this.markers.then(async () => void (await this.advancePastMarkers(p.partition, range)));
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
      partitionsConsumedConcurrently: Math.max(1, settings.partitionsConsumedConcurrently ?? 1),
      eachBatch: (payload) => this.handleBatch(payload),
    });
    if (!this.end) {
      // A parked partition resumes once `cli skip` moved its stored offset past the bad batch.
      this.unparkTimer = setInterval(() => void this.releaseParked(), 2_000);
      this.unparkTimer.unref();
    }
    // stop() may have run while the group was being joined: it owns the state from then on.
    if (this.stopping) return;
    this.stateValue = 'running';
    this.logger.info({ topic: this.topic, groupId: settings.groupId }, 'projector consuming');
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
    const { batch } = payload;
    const end = this.end;
    if (this.unfinished && !this.unfinished.has(batch.partition)) {
      // A bounded run is done with this partition (or never had to read it).
      this.consumer?.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
      return;
    }
    const stop = end?.get(batch.partition);
    // A record batch that cannot be decoded (the fetch guard's marker, @timeline/kafka): what came
    // before it is applied as usual, then the partition parks (live) or reads over a `cli skip` range.
    const markerAt = batch.messages.findIndex((m) => undecodableBatchOf(m) !== undefined);
    const bad = markerAt >= 0 ? undecodableBatchOf(batch.messages[markerAt]!) : undefined;
    const messages = markerAt >= 0 ? batch.messages.slice(0, markerAt) : batch.messages;
    // Messages at or beyond the stop point are left for the live projector; the batch ends before it.
    const inRange = stop === undefined ? messages : messages.filter((m) => BigInt(m.offset) < BigInt(stop));
    if (bad && (stop === undefined || BigInt(bad.firstOffset) < BigInt(stop))) {
      // kafkajs keeps the offset it fetched from on the batch object but leaves it out of the types.
      let from = (batch as { fetchedOffset?: string }).fetchedOffset ?? bad.firstOffset;
      if (inRange.length > 0) {
        const before = await this.applyWithRetry(payload, {
          topic: batch.topic,
          partition: batch.partition,
          fetchedOffset: from,
          lastOffset: inRange.at(-1)!.offset,
          messages: inRange,
        });
        if (!before) return;
        from = before.nextOffset;
      }
      // Offsets between `from` and the bad batch held nothing deliverable (transaction markers).
      return this.atUndecodable(batch.topic, batch.partition, bad, from);
    }
    const lastOffset =
      stop !== undefined && BigInt(batch.lastOffset()) >= BigInt(stop) ? (BigInt(stop) - 1n).toString() : batch.lastOffset();
    const size = this.opts.maxMessagesPerTransaction ?? Number.POSITIVE_INFINITY;
    // kafkajs keeps the offset it fetched from on the batch object but leaves it out of the types.
    let fetchedOffset = (batch as { fetchedOffset?: string }).fetchedOffset ?? batch.firstOffset() ?? batch.lastOffset();
    for (let i = 0; i === 0 || i < inRange.length; i += size) {
      const part = inRange.slice(i, i + size);
      const last = i + size >= inRange.length;
      const outcome = await this.applyWithRetry(payload, {
        topic: batch.topic,
        partition: batch.partition,
        fetchedOffset,
        lastOffset: last ? lastOffset : part.at(-1)!.offset,
        messages: part,
      });
      if (!outcome) return;
      fetchedOffset = outcome.nextOffset;
      if (this.unfinished && stop !== undefined && BigInt(outcome.nextOffset) >= BigInt(stop)) {
        this.unfinished.delete(batch.partition);
        this.consumer?.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
        if (this.unfinished.size === 0) this.settle?.resolve();
        return;
      }
    }
  }

  /** One transaction, retried as `onFailure` says; the committed outcome, or undefined when the batch must not go on. */
  private async applyWithRetry(
    payload: EachBatchPayload,
    part: Parameters<PartitionBatchApplier['apply']>[0],
  ): Promise<CommittedBatch | undefined> {
    const { resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = part;
    const metrics = this.opts.metrics;
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
      if (this.stopping || !isRunning() || isStale()) return undefined;
      const t0 = performance.now();
      let outcome: BatchOutcome;
      try {
        outcome = await this.applier.apply(part, { heartbeat: keepAlive, skipped: this.skipped.get(partition) });
      } catch (err) {
        const seconds = (performance.now() - t0) / 1000;
        const kind = this.opts.onFailure === 'stop' ? 'fatal' : classifyFailure(err);
        if (kind !== 'retriable') {
          metrics?.batch('failed', seconds);
          this.fail(err, { topic, partition });
          // A bounded run ends here rather than let kafkajs retry the batch: it is resumed from Postgres.
          if (this.opts.onFailure === 'stop') return undefined;
          throw err;
        }
        metrics?.batch('retried', seconds);
        metrics?.retry(errorKind(err));
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
        metrics?.batch(outcome.reason, seconds);
        const log = outcome.reason === 'gap' ? this.logger.info.bind(this.logger) : this.logger.debug.bind(this.logger);
        log(
          { topic, partition, fetchedOffset: part.messages[0]?.offset, storedOffset: outcome.offset, reason: outcome.reason },
          outcome.reason === 'gap' ? 'batch starts after the stored offset; seeking back' : 'batch already applied; seeking ahead',
        );
        if (outcome.reason === 'behind') metrics?.messages('fenced', part.messages.length);
        if (outcome.reason === 'gap') this.noteGap(partition, outcome.offset, part.fetchedOffset);
        this.consumer?.seek({ topic, partition, offset: outcome.offset });
        return undefined;
      }
      this.gaps.delete(partition);
      this.lastProgress = Date.now();
      metrics?.batch('committed', seconds);
      metrics?.eventsApplied(outcome.projection, outcome.counts.applied);
      for (const [k, n] of Object.entries(outcome.counts)) if (n > 0) metrics?.messages(k as MessageOutcome, n);
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
      const committed: CommittedBatch = { ...outcome, topic, partition };
      await this.opts.afterCommit?.(committed);
      if (heartbeatError) throw heartbeatError;
      return committed;
    }
  }

  /**
   * At a record batch that cannot be decoded: a live run parks the partition (paused; /health,
   * metric and log say what to do); a bounded run reads over it when a `cli skip` range covers it —
   * as the live projection did — and fails otherwise (issue 11).
   */
  private async atUndecodable(topic: string, partition: number, bad: UndecodableBatch, from: string): Promise<void> {
    const stop = this.end?.get(partition);
    if (stop === undefined) {
      if (this.parking.isParked(topic, partition)) return;
      const p = this.parking.park(topic, partition, bad);
      this.consumer?.pause([{ topic, partitions: [partition] }]);
      this.opts.onParking?.('parked', p);
      this.logger.error(
        { topic, partition, firstOffset: p.firstOffset, lastOffset: p.lastOffset, cause: p.cause, detail: p.detail, remedy: p.remedy },
        `partition ${partition} parked at offset ${p.firstOffset}: a record batch that cannot be decoded (${p.cause}); the other partitions go on. ` +
          `Inspect it, then move past it with: ${p.remedy}`,
      );
      return;
    }
    const first = BigInt(bad.firstOffset);
    const range = (this.opts.operatorSkips ?? []).find(
      (r) => r.topic === topic && r.partition === partition && BigInt(r.fromOffset) <= first && first < BigInt(r.toOffset),
    );
    if (!range) {
      this.fail(
        new Error(
          `offset ${bad.firstOffset} of ${topic}/${partition} is a record batch that cannot be decoded (${bad.cause}: ${bad.detail}) and no ` +
            '`cli skip` range covers it; skip it first (it parks the live projector too), then resume this rebuild',
        ),
      );
      return;
    }
    const to = BigInt(range.toOffset) < BigInt(stop) ? range.toOffset : stop;
    const moved = await this.advancePastMarkers(partition, { from, to });
    // Not moved (the stored offset is not where this fetch started): back to it; the fence decides.
    const at = moved ?? (await this.applier.positions(topic)).offsets.get(partition) ?? from;
    this.consumer?.seek({ topic, partition, offset: at });
  }

  /** Resumes parked partitions whose stored offset moved past the bad batch (`cli skip`). */
  private async releaseParked(): Promise<void> {
    if (this.parking.list().length === 0 || !this.consumer) return;
    try {
      const { offsets } = await this.applier.positions(this.topic);
      for (const p of this.parking.list()) {
        const stored = offsets.get(p.partition);
        if (!this.parking.releaseIfPast(p.topic, p.partition, stored)) continue;
        this.opts.onParking?.('released', p);
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
   * Stores the offset after a range with nothing to apply (see
   * {@link PartitionBatchApplier.advancePastMarkers}); a bounded run counts it as progress and may
   * finish the partition. Retried a few times on an infrastructure error; if it still fails, the next
   * batch of the partition carries the range (`skipped`), so nothing is lost.
   */
  private async advancePastMarkers(partition: number, range: SkippedRange): Promise<string | undefined> {
    let error: unknown;
    for (let attempt = 0; attempt < 5 && !this.stopping; attempt++) {
      try {
        const next = await this.applier.advancePastMarkers(this.topic, partition, range);
        if (next) {
          this.lastProgress = Date.now();
          this.logger.debug({ topic: this.topic, partition, ...range }, 'stored the offset past offsets with nothing to apply');
          const stop = this.end?.get(partition);
          if (this.unfinished && stop !== undefined && BigInt(next) >= BigInt(stop)) {
            this.unfinished.delete(partition);
            this.consumer?.pause([{ topic: this.topic, partitions: [partition] }]);
            if (this.unfinished.size === 0) this.settle?.resolve();
          }
        }
        return next;
      } catch (err) {
        error = err;
        if (classifyFailure(err) !== 'retriable') break;
        await new Promise((r) => setTimeout(r, Math.min(this.maxRetryMs, this.initialRetryMs * 2 ** attempt)));
      }
    }
    if (error) {
      this.logger.warn(
        { err: describe(error), topic: this.topic, partition, ...range },
        'could not store the offset past offsets with nothing to apply; the next batch of the partition will',
      );
    }
    return undefined;
  }

  /** With a limit: the broker keeps answering from above the stored offset — those messages are gone. */
  private noteGap(partition: number, expected: string, fetched: string): void {
    const limit = this.opts.maxGapSeeks;
    if (limit === undefined) return;
    const g = this.gaps.get(partition);
    const times = g && g.offset === expected ? g.times + 1 : 1;
    this.gaps.set(partition, { offset: expected, times });
    if (times > limit) this.fail(new MissingOffsetsError(this.topic, partition, expected, fetched));
  }

  /** Seeks newly assigned partitions to the offsets stored in Postgres (see the class comment). */
  private async seekToStoredOffsets(consumer: Consumer, partitions: number[]): Promise<void> {
    this.assignedPartitions = partitions;
    this.logger.info({ topic: this.topic, partitions }, 'partitions assigned');
    if (partitions.length === 0) return;
    const tps = [{ topic: this.topic, partitions }];
    consumer.pause(tps);
    try {
      const { projection, offsets } = await this.applier.positions(this.topic);
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
    if (this.opts.onFailure === 'stop') {
      this.logger.error({ err: describe(err), ...context }, 'projection run stopped; what committed stays, nothing of the failed batch');
    } else {
      this.logger.fatal(
        { err: describe(err), ...context },
        'projector stopped on an unrecoverable error; nothing was committed for the failed batch',
      );
    }
    this.settle?.reject(err);
    setImmediate(() => this.fatalListeners.forEach((l) => l(err)));
  }
}

function describe(err: unknown): { message: string; name?: string; code?: unknown } {
  if (err instanceof Error) return { name: err.name, message: err.message, code: (err as { code?: unknown }).code };
  return { message: String(err) };
}

function errorKind(err: unknown): 'kafka' | 'postgres' {
  const name = err instanceof Error ? err.name : '';
  return name.startsWith('KafkaJS') || name === 'KafkaPublishError' ? 'kafka' : 'postgres';
}
