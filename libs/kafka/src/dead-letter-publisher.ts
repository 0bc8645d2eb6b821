import type { IHeaders, Kafka, Message, RetryOptions } from 'kafkajs';
import { IdempotentProducer } from './idempotent-producer.js';
import { KafkaPublishError } from './kafka-publish.error.js';
import { DLQ_HEADERS } from './topics.js';

/** A message that cannot be projected, with where it came from and why. */
export interface DeadLetter {
  /** Original topic, partition and offset (also sent as `dlq.original*` headers). */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The original key and value bytes, untouched, so an operator can fix and republish them. */
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  /** The original headers; copied except any `dlq.*` ones, which this record sets afresh. */
  readonly headers?: IHeaders;
  /** Original Kafka timestamp (ms since epoch, decimal string). */
  readonly timestamp?: string;
  /** Stable machine-readable reason, e.g. `EVENT.MALFORMED_JSON`, `EVENT.UNKNOWN_TYPE`. */
  readonly reasonCode: string;
  /** One human sentence (plus field issues), e.g. `unknown event type "troops.teleported"`. */
  readonly reason: string;
}

/** Options of {@link DeadLetterPublisher}. */
export interface DeadLetterPublisherOptions {
  /** The dead-letter topic (`timelineTopics(config.kafka).dlq.topic`). */
  readonly topic: string;
  /** Consumer group that gave up on the message (`dlq.consumerGroup` header). */
  readonly consumerGroup: string;
  /** Clock for the `dlq.failedAt` header. @default () => new Date() */
  readonly now?: () => Date;
  /** kafkajs producer retry policy. @default { retries: 5, initialRetryTime: 300, maxRetryTime: 3000 } */
  readonly retry?: RetryOptions;
}

/** Headers longer than this are cut: a reason is for a human, and headers count towards the message size. */
const MAX_REASON_CHARS = 2000;

/**
 * Publishes poison messages to the dead-letter topic (an {@link IdempotentProducer}): original key, value and headers, plus
 * `DLQ_HEADERS` naming the reason and the original topic/partition/offset. Idempotent producer,
 * acks from all in-sync replicas: when {@link publish} resolves, the dead letters are durable —
 * the projector relies on that to advance its offset past them in the same transaction.
 */
export class DeadLetterPublisher {
  private readonly producer: IdempotentProducer;
  private readonly now: () => Date;

  constructor(
    kafka: Kafka,
    private readonly options: DeadLetterPublisherOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.producer = new IdempotentProducer(kafka, options.retry ? { retry: options.retry } : {});
  }

  /** The dead-letter topic. */
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
   * Sends every dead letter in one request; resolves once Kafka acknowledged all of them, else
   * throws a {@link KafkaPublishError} (retriable unless the broker refused the size).
   */
  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = this.now().toISOString();
    const messages: Message[] = letters.map((l) => {
      const headers: IHeaders = {};
      for (const [name, value] of Object.entries(l.headers ?? {})) {
        if (!name.startsWith('dlq.') && value !== undefined) headers[name] = value;
      }
      headers[DLQ_HEADERS.reason] = l.reason.length > MAX_REASON_CHARS ? `${l.reason.slice(0, MAX_REASON_CHARS - 1)}…` : l.reason;
      headers[DLQ_HEADERS.reasonCode] = l.reasonCode;
      headers[DLQ_HEADERS.originalTopic] = l.topic;
      headers[DLQ_HEADERS.originalPartition] = String(l.partition);
      headers[DLQ_HEADERS.originalOffset] = l.offset;
      headers[DLQ_HEADERS.failedAt] = failedAt;
      headers[DLQ_HEADERS.consumerGroup] = this.options.consumerGroup;
      return { key: l.key, value: l.value, headers, ...(l.timestamp ? { timestamp: l.timestamp } : {}) };
    });
    try {
      await this.producer.send({ topic: this.options.topic, messages, acks: -1 });
    } catch (err) {
      const tooLarge = /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/.test(String((err as { type?: unknown }).type ?? ''));
      throw new KafkaPublishError(
        `Kafka did not acknowledge ${letters.length} dead letter(s) on ${this.options.topic}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err, tooLarge },
      );
    }
  }
}
