import { Partitioners, type CompressionTypes, type Kafka, type Message, type RetryOptions } from 'kafkajs';
import type { KafkaCompression } from '@timeline/config';
import type { PreparedEvent } from '@timeline/events';
import { compressionType } from './codecs/compression-codecs.js';
import { IdempotentProducer } from './idempotent-producer.js';
import { KafkaPublishError } from './kafka-publish.error.js';
import { EVENT_HEADERS, cloudEventHeaders } from './topics.js';

/** Where Kafka stored one event. */
export interface PublishedEvent {
  readonly eventId: string;
  readonly partition: number;
  /** Kafka offset (int64, as a decimal string). */
  readonly offset: string;
}

/** Options of {@link EventPublisher}. */
export interface EventPublisherOptions {
  /** The events topic (from `timelineTopics(config.kafka).events.topic`). */
  readonly topic: string;
  /**
   * kafkajs retry policy of the producer. Bounded so a caller gets an answer while Kafka is down
   * (the HTTP layer answers 503); a long-running tool may allow more.
   * @default {@link IdempotentProducer}'s: { retries: 5, initialRetryTime: 300, maxRetryTime: 3000 }
   */
  readonly retry?: RetryOptions;
  /** How long the broker may wait for all in-sync replicas (acks=-1) per request. @default 10000 */
  readonly ackTimeoutMs?: number;
  /** The `producer` header of every record (see PROJECTOR_TRUSTED_PRODUCERS). @default "ingest" */
  readonly producer?: string;
  /** Codec of the record batches sent (`config.kafka.compression`, KAFKA_COMPRESSION). @default "none" */
  readonly compression?: KafkaCompression;
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
/** Bounds of one coalesced send (callers' batches are never split; a single larger batch goes alone). */
const COALESCE_MAX_EVENTS = 1000;
const COALESCE_MAX_BYTES = 1024 * 1024;

/** A publish waiting for its turn. */
interface QueuedPublish {
  readonly events: readonly PreparedEvent[];
  readonly messages: Message[];
  readonly bytes: number;
  resolve(published: PublishedEvent[]): void;
  reject(err: unknown): void;
}

/** The envelope fields {@link eventMessage} reads; the whole envelope becomes the value. */
export type EventMessageSource = Pick<PreparedEvent, 'eventId' | 'type' | 'schemaVersion' | 'storyId' | 'recordedAt'>;

/**
 * An envelope as it goes on the events topic: key storyId (one story's events keep their order on one
 * partition), routing headers, CreateTime = recordedAt (a faithful fallback for it).
 */
export function eventMessage(e: EventMessageSource, producer = 'ingest'): Message {
  return {
    key: e.storyId,
    value: JSON.stringify(e),
    timestamp: String(Date.parse(e.recordedAt)),
    headers: {
      [EVENT_HEADERS.type]: e.type,
      [EVENT_HEADERS.schemaVersion]: String(e.schemaVersion),
      [EVENT_HEADERS.eventId]: e.eventId,
      [EVENT_HEADERS.contentType]: 'application/json',
      [EVENT_HEADERS.producer]: producer,
      ...cloudEventHeaders(e),
    },
  };
}

/**
 * Publishes validated events to the events topic with an idempotent kafkajs producer: acks from all
 * in-sync replicas, key = storyId (one story's events keep their order on one partition), headers
 * `type`/`schemaVersion`/`eventId` so consumers can route without parsing.
 *
 * A batch goes out as ONE `send`: its events are either all handed to Kafka or the call fails (and the
 * next send uses a new producer session, see {@link IdempotentProducer}). Only
 * {@link PreparedEvent}s are accepted, so nothing unvalidated reaches the topic through here.
 */
export class EventPublisher {
  private readonly producer: IdempotentProducer;
  /** The partition kafkajs's partitioner chose for each message object of the current sends. */
  private readonly partitionOf = new WeakMap<object, number>();
  private readonly ackTimeoutMs: number;
  private readonly compression: CompressionTypes;
  private readonly queue: QueuedPublish[] = [];
  private draining = false;

  constructor(
    kafka: Kafka,
    private readonly options: EventPublisherOptions,
  ) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.compression = compressionType(options.compression ?? 'none');
    const defaultPartitioner = Partitioners.DefaultPartitioner();
    this.producer = new IdempotentProducer(kafka, {
      ...(options.retry ? { retry: options.retry } : {}),
      // Same partitioning as kafkajs's default (Java-compatible murmur2 of the key); we only record the
      // choice, because a produce response gives one base offset per partition, not per message.
      createPartitioner: () => (args) => {
        const partition = defaultPartitioner(args);
        this.partitionOf.set(args.message, partition);
        return partition;
      },
    });
  }

  /** The topic this publisher writes to. */
  get topic(): string {
    return this.options.topic;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  /**
   * Sends `events` in one request and resolves, in input order, with each event's partition and
   * offset once Kafka acknowledged them. Throws {@link KafkaPublishError} when Kafka did not.
   *
   * Calls made while a send is in flight are coalesced into the next send (never split: a caller's
   * events still go out in one request, all or nothing). The idempotent producer allows one request
   * in flight, so without this every single-event request would wait for all earlier round trips:
   * bench:latency measured the queue growing without bound at 500 single-event POSTs/s.
   */
  async publish(events: readonly PreparedEvent[]): Promise<PublishedEvent[]> {
    if (events.length === 0) return [];
    const messages = events.map((e) => eventMessage(e, this.options.producer));
    const bytes = messages.reduce((n, m) => n + (m.value as string).length, 0);
    return new Promise((resolve, reject) => {
      this.queue.push({ events, messages, bytes, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  /** Sends queued publishes, as many callers per request as the coalescing bounds allow, until none wait. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const group = [this.queue.shift()!];
        let count = group[0]!.messages.length;
        let bytes = group[0]!.bytes;
        while (this.queue.length > 0) {
          const next = this.queue[0]!;
          if (count + next.messages.length > COALESCE_MAX_EVENTS || bytes + next.bytes > COALESCE_MAX_BYTES) break;
          group.push(this.queue.shift()!);
          count += next.messages.length;
          bytes += next.bytes;
        }
        try {
          const results = await this.send(
            group.flatMap((c) => c.events),
            group.flatMap((c) => c.messages),
          );
          let at = 0;
          for (const c of group) {
            c.resolve(results.slice(at, at + c.events.length));
            at += c.events.length;
          }
        } catch (err) {
          if (group.length > 1 && err instanceof KafkaPublishError && err.tooLarge) {
            // Refused for the combined size: each caller's batch gets its own answer, as if sent alone.
            for (const c of group) await this.send(c.events, c.messages).then(c.resolve, c.reject);
          } else {
            for (const c of group) c.reject(err);
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async send(events: readonly PreparedEvent[], messages: Message[]): Promise<PublishedEvent[]> {
    let metadata;
    try {
      metadata = await this.producer.send({
        topic: this.options.topic,
        messages,
        acks: -1,
        timeout: this.ackTimeoutMs,
        compression: this.compression,
      });
    } catch (err) {
      const tooLarge = errorChain(err).some((e) => TOO_LARGE.has(String((e as { type?: unknown }).type)));
      throw new KafkaPublishError(
        tooLarge
          ? `Kafka refused the batch of ${events.length} event(s) as too large; send fewer events per request`
          : `Kafka did not acknowledge ${events.length} event(s): ${err instanceof Error ? err.message : String(err)}`,
        { cause: err, tooLarge },
      );
    }
    const baseOffset = new Map<number, bigint>();
    for (const m of metadata) {
      if (m.topicName === this.options.topic && m.baseOffset !== undefined) baseOffset.set(m.partition, BigInt(m.baseOffset));
    }
    // Within one partition kafkajs keeps input order, so the n-th message of partition p sits at base + n.
    const seen = new Map<number, bigint>();
    return messages.map((m, i) => {
      const partition = this.partitionOf.get(m);
      const base = partition === undefined ? undefined : baseOffset.get(partition);
      if (partition === undefined || base === undefined) {
        throw new KafkaPublishError(`Kafka acknowledged the send but reported no offset for event ${events[i]!.eventId}`, {
          cause: metadata,
        });
      }
      const n = seen.get(partition) ?? 0n;
      seen.set(partition, n + 1n);
      return { eventId: events[i]!.eventId, partition, offset: String(base + n) };
    });
  }
}

function errorChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e && chain.length < 10; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}
