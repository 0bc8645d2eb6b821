import { randomBytes } from 'node:crypto';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import {
  eventCatalogue as defaultCatalogue,
  parseEventJson,
  PRODUCER_HEADER,
  recordedAtBackdated,
  recordedAtInFuture,
  withRecordedAtFallback,
  type EventCatalogue,
  type RecordedAtPolicy,
} from '@timeline/events';
import type { PositionedEvent } from '../projection/positioned-event.js';
import type { SkippedRange } from '../skipped-ranges.js';
import { RebuildRequestError } from './rebuild-request.error.js';
import type { VersionChunk } from './version-batch-applier.js';

/** Low/high watermark of one partition. */
export interface PartitionRange {
  readonly partition: number;
  /** First offset still in the log. */
  readonly low: string;
  /** Offset the next message will get. */
  readonly high: string;
}

/** Options of {@link KafkaRebuildSource}. */
export interface KafkaRebuildSourceOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** Consumer group of this rebuild alone (it never commits offsets; Postgres holds them). */
  readonly groupId: string;
  /** Events per transaction. */
  readonly chunkSize: number;
  /** Fetch size per partition. @default 1048576 */
  readonly maxBytesPerPartition?: number;
  /** Fail when no batch arrived for this long while partitions are unfinished. @default 120000 */
  readonly idleTimeoutMs?: number;
  readonly catalogue?: EventCatalogue;
  /** The projector's recordedAt trust policy (the same records are refused). @default trust every producer */
  readonly recordedAtPolicy?: RecordedAtPolicy;
  /** Ranges `cli skip` moved the live projection past: read over the same way. @default none */
  readonly skippedRanges?: readonly SkippedRange[];
}

/**
 * The undecodable-batch marker of `@timeline/kafka`'s fetch guard, read structurally: libs/store does
 * not depend on the Kafka lib (the guard is installed by every client `createKafka` builds).
 */
function undecodable(m: object): { firstOffset: string; cause: string; detail: string } | undefined {
  return (m as { timelineUndecodable?: { firstOffset: string; cause: string; detail: string } }).timelineUndecodable;
}

/** What the Kafka phase needs from the rebuild: where each partition stands, and how to apply a chunk. */
export interface KafkaRebuildTarget {
  /** Stored next offset per partition of the version being built (absent: start at the low watermark). */
  readonly stored: ReadonlyMap<number, string>;
  /** Offset per partition to read up to (exclusive): the high watermarks when the rebuild started. */
  readonly end: ReadonlyMap<number, string>;
  /** Applies one chunk in one transaction (with the version's offset). */
  apply(chunk: VersionChunk): Promise<void>;
  readonly signal?: AbortSignal;
}

/**
 * Reads the events topic from the start with a consumer group of its own (one member, so it is
 * assigned every partition), up to the high watermarks taken when the rebuild started. Offsets are
 * never committed to Kafka: the version's `projector_offsets` rows are the truth, and after a crash
 * the consumer is sought back to them on `GROUP_JOIN`. Like the live projector, each batch is fenced
 * against the stored offset: messages below it are skipped, and a batch that starts above it (kafkajs
 * resumed elsewhere) is sought back instead of leaving a gap.
 */
export class KafkaRebuildSource {
  private readonly catalogue: EventCatalogue;

  constructor(private readonly opts: KafkaRebuildSourceOptions) {
    this.catalogue = opts.catalogue ?? defaultCatalogue;
  }

  /** Watermarks of every partition; `undefined` when the topic does not exist. */
  static async watermarks(kafka: Kafka, topic: string): Promise<PartitionRange[] | undefined> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(topic)) return undefined;
      const rows = await admin.fetchTopicOffsets(topic);
      return rows.map((r) => ({ partition: r.partition, low: r.low, high: r.high })).sort((a, b) => a.partition - b.partition);
    } finally {
      await admin.disconnect();
    }
  }

  /** Reads every unfinished partition up to its end offset; resolves when all are done. */
  async run(target: KafkaRebuildTarget): Promise<void> {
    const { topic } = this.opts;
    const position = new Map(target.stored);
    const unfinished = new Set([...target.end].filter(([p, end]) => BigInt(position.get(p) ?? '0') < BigInt(end)).map(([p]) => p));
    if (unfinished.size === 0) return;

    const consumer = this.opts.kafka.consumer({
      groupId: this.opts.groupId,
      maxBytesPerPartition: this.opts.maxBytesPerPartition ?? 1_048_576,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      rebalanceTimeout: 60_000,
      allowAutoTopicCreation: false,
      // Read committed (kafkajs's default, spelled out as in the projector): records of aborted
      // transactions never reach a rebuild either (issue 11); offsets they and the markers occupy are
      // covered by the trailing-offsets step below.
      readUncommitted: false,
    });
    let finish!: () => void;
    let fail!: (err: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    let lastProgress = Date.now();
    const gaps = new Map<number, { offset: string; times: number }>();

    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const assigned = e.payload.memberAssignment[topic] ?? [];
      // kafkajs applies a seek at the next fetch; the fence below is what guarantees correctness.
      for (const p of assigned) {
        const at = position.get(p);
        if (at !== undefined) consumer.seek({ topic, partition: p, offset: at });
      }
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) fail(e.payload.error);
    });

    // kafkajs consumes offsets holding only transaction markers and aborted records without calling
    // eachBatch. They still count as read: else a partition that holds only aborted records, or whose
    // last fetch brought only markers, would never finish (issue 11). Serialised with eachBatch.
    let markers: Promise<void> = Promise.resolve();
    const finishIfDone = (p: number) => {
      if (BigInt(position.get(p) ?? '0') >= BigInt(target.end.get(p) ?? '0')) {
        unfinished.delete(p);
        consumer.pause([{ topic, partitions: [p] }]);
        if (unfinished.size === 0) finish();
      }
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      const b = e.payload;
      if (b.topic !== topic || b.batchSize !== 0 || b.firstOffset == null) return;
      const p = b.partition;
      markers = markers
        .then(async () => {
          if (!unfinished.has(p) || BigInt(b.firstOffset!) !== BigInt(position.get(p) ?? '0')) return;
          const end = BigInt(target.end.get(p) ?? '0');
          const to = BigInt(b.lastOffset) + 1n;
          const reached = to < end ? to : end;
          await target.apply(this.chunk(p, [], reached.toString()));
          position.set(p, reached.toString());
          lastProgress = Date.now();
          finishIfDone(p);
        })
        .catch(fail);
    });

    const eachBatch = async ({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> => {
      await markers;
      const p = batch.partition;
      if (!unfinished.has(p)) {
        consumer.pause([{ topic, partitions: [p] }]);
        return;
      }
      const end = BigInt(target.end.get(p) ?? '0');
      const expected = BigInt(position.get(p) ?? '0');
      const first = batch.messages[0] ? BigInt(batch.messages[0].offset) : null;
      if (first !== null && first > expected) {
        // A gap: kafkajs fetched from elsewhere (or retention deleted what we need). Seek back; if the
        // broker keeps answering from above the same offset, those messages are gone for good.
        const g = gaps.get(p);
        const times = g && g.offset === expected.toString() ? g.times + 1 : 1;
        gaps.set(p, { offset: expected.toString(), times });
        if (times > 3) {
          fail(
            new RebuildRequestError(
              `Kafka no longer holds offsets ${expected}..${first - 1n} of ${topic}/${p}; rebuild from the archive instead (--from event-log)`,
            ),
          );
          return;
        }
        consumer.seek({ topic, partition: p, offset: expected.toString() });
        return;
      }
      // A record batch that cannot be decoded (the guard's marker, libs/kafka): what precedes it is
      // read as usual; the batch itself only with a `cli skip` range on record (issue 11).
      const markerAt = batch.messages.findIndex((m) => undecodable(m) !== undefined);
      const usable = markerAt >= 0 ? batch.messages.slice(0, markerAt) : batch.messages;
      const wanted = usable.filter((m) => BigInt(m.offset) >= expected && BigInt(m.offset) < end);
      for (let i = 0; i < wanted.length; i += this.opts.chunkSize) {
        if (!isRunning() || isStale()) return;
        target.signal?.throwIfAborted();
        const part = wanted.slice(i, i + this.opts.chunkSize);
        await target.apply(this.chunk(p, part, (BigInt(part.at(-1)!.offset) + 1n).toString()));
        position.set(p, (BigInt(part.at(-1)!.offset) + 1n).toString());
        // kafkajs fetches from the last *resolved* offset (autoResolve is off): without this the next
        // fetch returns the same first maxBytesPerPartition again and a longer partition never ends.
        resolveOffset(part.at(-1)!.offset);
        lastProgress = Date.now();
        await heartbeat();
      }
      if (markerAt >= 0) {
        const bad = undecodable(batch.messages[markerAt]!)!;
        const range = (this.opts.skippedRanges ?? []).find(
          (r) => r.partition === p && BigInt(r.fromOffset) <= BigInt(bad.firstOffset) && BigInt(bad.firstOffset) < BigInt(r.toOffset),
        );
        if (!range) {
          fail(
            new RebuildRequestError(
              `offset ${bad.firstOffset} of ${topic}/${p} is a record batch that cannot be decoded (${bad.cause}: ${bad.detail}) and no ` +
                '`cli skip` range covers it; skip it first (it parks the live projector too), then resume this rebuild',
            ),
          );
          return;
        }
        const to = BigInt(range.toOffset) < end ? BigInt(range.toOffset) : end;
        await target.apply(this.chunk(p, [], to.toString()));
        position.set(p, to.toString());
        resolveOffset((to - 1n).toString());
        consumer.seek({ topic, partition: p, offset: to.toString() });
        lastProgress = Date.now();
        finishIfDone(p);
        return;
      }
      // Trailing offsets with nothing to deliver (transaction markers) still count as read.
      const batchEnd = BigInt(batch.lastOffset()) + 1n;
      const reached = batchEnd < end ? batchEnd : end;
      if (reached > BigInt(position.get(p) ?? '0')) {
        await target.apply(this.chunk(p, [], reached.toString()));
        position.set(p, reached.toString());
        resolveOffset((reached - 1n).toString());
        lastProgress = Date.now();
      }
      finishIfDone(p);
    };

    const idleTimeout = this.opts.idleTimeoutMs ?? 120_000;
    const watchdog = setInterval(() => {
      if (Date.now() - lastProgress > idleTimeout) {
        fail(
          new Error(
            `no progress reading ${topic} for ${Math.round(idleTimeout / 1000)} s (partitions ${[...unfinished].join(', ')} unfinished)`,
          ),
        );
      }
    }, 1000);
    const onAbort = () => fail(target.signal?.reason ?? new Error('aborted'));
    target.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) =>
          eachBatch(payload).catch((err: unknown) => {
            // Stop here rather than let kafkajs retry the batch: the run fails and can be resumed.
            fail(err);
          }),
      });
      await finished;
    } finally {
      clearInterval(watchdog);
      target.signal?.removeEventListener('abort', onAbort);
      await consumer.disconnect().catch(() => undefined);
      await this.deleteGroup();
    }
  }

  private chunk(partition: number, messages: readonly KafkaMessage[], nextOffset: string): VersionChunk {
    const events: PositionedEvent[] = [];
    let undecodable = 0;
    for (const m of messages) {
      const d = this.decode(m.value, m.timestamp, m.headers?.[PRODUCER_HEADER]?.toString());
      if (d) events.push({ event: d.event, original: d.original, position: { topic: this.opts.topic, partition, offset: m.offset } });
      else undecodable++;
    }
    return { topic: this.opts.topic, partition, events, nextOffset, undecodable, read: messages.length };
  }

  /**
   * Kafka input is untrusted: decoded exactly as the live projector does — including the recordedAt
   * rule (fallback to the record timestamp, refusal of a future one) — so a rebuild from Kafka equals the
   * live projection; poison is skipped (it is in the DLQ).
   */
  private decode(
    value: Buffer | null,
    timestamp: string | undefined,
    producer: string | undefined,
  ): { event: PositionedEvent['event']; original: Record<string, unknown> } | undefined {
    if (!value || value.length === 0) return undefined;
    // The same bounded parse as the live projector's decoder (UTF-8, nesting depth, JSON).
    const json = parseEventJson(value);
    if (!json.ok) return undefined;
    const own = typeof json.value === 'object' && json.value !== null && (json.value as { recordedAt?: unknown }).recordedAt !== undefined;
    const parsed = withRecordedAtFallback(json.value, timestamp);
    const d = this.catalogue.decode(parsed);
    if (!d.ok || recordedAtInFuture(d.event.recordedAt, timestamp)) return undefined;
    if (recordedAtBackdated(d.event.recordedAt, timestamp, producer, own, this.opts.recordedAtPolicy)) return undefined;
    return { event: d.event, original: parsed as Record<string, unknown> };
  }

  private async deleteGroup(): Promise<void> {
    const admin = this.opts.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.opts.groupId]);
    } catch {
      // Best effort: an empty group without committed offsets expires on its own.
    } finally {
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
