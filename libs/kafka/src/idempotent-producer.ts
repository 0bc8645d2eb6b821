import type { Kafka, Producer, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';

/**
 * A kafkajs idempotent producer that starts a NEW producer session (a new producer id from
 * InitProducerId, sequence numbers from 0) after any failed send.
 *
 * Why: kafkajs advances a partition's sequence number only when a send is acknowledged. When a send
 * fails after the broker already appended it (a broker stopping mid-request, a lost response), the
 * next send reuses the sequence number, and the broker either
 * - refuses it with OUT_OF_ORDER_SEQUENCE_NUMBER, forever: kafkajs never resets its sequences, so the
 *   producer stays dead until the process restarts (kafkajs#598; CI saw ingest answer 503 for 120 s
 *   after the broker came back), or
 * - takes a same-sized batch of OTHER messages for a duplicate of the stored one and acknowledges it
 *   with the old offset: an acknowledged publish that was never written.
 * A fresh session makes neither possible. The price is that the failed send's messages may be stored
 * AND re-sent by the caller; every consumer here deduplicates by eventId (or by original offset, for
 * dead letters), which is the contract {@link KafkaPublishError} already states.
 */
export class IdempotentProducer {
  private producer: Producer | undefined;
  /** The session to use for the next send; `undefined` after a failure until one is opened again. */
  private ready: Promise<Producer> | undefined;
  private sessions = 0;

  private readonly config: ProducerConfig;

  /** @param config kafkajs producer settings besides the fixed ones below (retry has a bounded default). */
  constructor(
    private readonly kafka: Kafka,
    config: Omit<ProducerConfig, 'idempotent' | 'maxInFlightRequests' | 'allowAutoTopicCreation'> = {},
  ) {
    this.config = {
      // kafkajs warns that limiting retries "may invalidate EoS guarantees": within one producer session,
      // yes. A caller that retries after a failure re-sends the same messages and every consumer here
      // deduplicates (by eventId), which is the guarantee this system relies on. Bounded so a caller
      // gets an answer while Kafka is down.
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 3000 },
      ...config,
      idempotent: true,
      // kafkajs serialises idempotent sends per broker (a lock added after kafkajs#598, whose concurrent
      // sends broke sequence numbers); one request in flight keeps that true even if the lock changes.
      maxInFlightRequests: 1,
      // Topics are created with their retention at boot (ensureTopics); never let a typo auto-create one.
      allowAutoTopicCreation: false,
    };
  }

  /** How many producer sessions were opened (1 after connect, +1 per failed send that was followed by another). */
  get sessionCount(): number {
    return this.sessions;
  }

  /** Opens the first session (InitProducerId); fails when no broker answers. */
  async connect(): Promise<void> {
    await this.session();
  }

  async disconnect(): Promise<void> {
    const current = this.producer;
    this.producer = undefined;
    this.ready = undefined;
    await current?.disconnect();
  }

  /**
   * Sends `record` on the current session. On failure the session is dropped (its sockets closed)
   * and the error is rethrown; the next send opens a new one.
   */
  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const producer = await this.session();
    try {
      return await producer.send(record);
    } catch (err) {
      if (this.producer === producer) {
        this.producer = undefined;
        this.ready = undefined;
        // Closing a dead session must not hide the send's error nor wait for a broker that is down.
        void producer.disconnect().catch(() => undefined);
      }
      throw err;
    }
  }

  private session(): Promise<Producer> {
    if (!this.ready) {
      const producer = this.kafka.producer(this.config);
      this.sessions += 1;
      this.producer = producer;
      const ready = producer.connect().then(
        () => producer,
        (err: unknown) => {
          // A session that could not open is not reused: the next call tries a new one.
          if (this.ready === ready) {
            this.ready = undefined;
            this.producer = undefined;
          }
          void producer.disconnect().catch(() => undefined);
          throw err;
        },
      );
      this.ready = ready;
    }
    return this.ready;
  }
}
