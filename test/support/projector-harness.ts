import type { Admin, Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@timeline/config';
import { TimelineProjectionWriter, notifyTimeline } from '@timeline/store';
import { createTestDatabase } from './database.js';
import { positioned, type RawEvent } from './event-factory.js';
import { createTopics, testKafka } from './kafka.js';
import { waitFor } from './wait.js';

/** One message as a test publishes it (value may be anything: poison tests send broken bytes). */
export interface TestMessage {
  readonly key?: string | null;
  readonly value: string | Buffer | null;
  readonly partition?: number;
  readonly headers?: Record<string, string>;
}

/** A connected plain (non-idempotent) producer for tests; `close()` disconnects it. */
export async function testProducer(
  kafka: Kafka,
): Promise<{ send(topic: string, messages: readonly TestMessage[]): Promise<void>; close(): Promise<void> }> {
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return {
    async send(topic, messages) {
      // Chunks keep each request well below the broker's message size limits.
      for (let i = 0; i < messages.length; i += 500) {
        await producer.send({
          topic,
          acks: -1,
          messages: messages.slice(i, i + 500).map((m) => ({
            key: m.key ?? null,
            value: m.value,
            ...(m.partition !== undefined ? { partition: m.partition } : {}),
            ...(m.headers ? { headers: m.headers } : {}),
          })),
        });
      }
    },
    close: () => producer.disconnect(),
  };
}

/** A raw event as the message a producer following the contract sends (key = storyId). */
export function eventMessage(event: Record<string, unknown>, partition?: number): TestMessage {
  return { key: String(event.storyId), value: JSON.stringify(event), ...(partition !== undefined ? { partition } : {}) };
}

/** Fisher–Yates shuffle with a seeded generator, so a failing order can be reproduced. */
export function shuffled<T>(items: readonly T[], seed = 42): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Waits until `SELECT count(*)` of `sql` equals `expected` (polls; generous default timeout). */
export async function waitForCount(ds: DataSource, what: string, sql: string, expected: number, timeoutMs = 60_000): Promise<void> {
  let last = -1;
  await waitFor(
    `${what} = ${expected} (last seen ${last})`,
    async () => {
      last = Number((await ds.query(sql))[0].n);
      return last === expected ? true : undefined;
    },
    timeoutMs,
    100,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last count ${last}`);
  });
}

/** Waits until every partition's stored next offset equals its high watermark (the projector caught up). */
export async function waitForCaughtUp(ds: DataSource, kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      `${topic} fully projected`,
      async () => {
        const marks = await admin.fetchTopicOffsets(topic);
        const rows: { partition: number; next_offset: string }[] = await ds.query(
          `SELECT partition, next_offset::text AS next_offset FROM projector_offsets po JOIN active_projection ap ON ap.name = po.projection WHERE topic = $1`,
          [topic],
        );
        const stored = new Map(rows.map((r) => [r.partition, r.next_offset]));
        return marks.every((m) => m.high === '0' || stored.get(m.partition) === m.high) ? true : undefined;
      },
      timeoutMs,
      200,
    );
  } finally {
    await admin.disconnect();
  }
}

/** One counter or gauge sample from a Prometheus text exposition (sum over label sets matching `labels`). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * Writes batches the way the projector does — rows, offsets and NOTIFY in one transaction, to the
 * `live` version — without Kafka: for read-side tests (the API's stream) that need commits, not a
 * broker. Offsets continue per partition across calls.
 */
export function directProjector(ds: DataSource, topic: string): (events: RawEvent[], partition?: number) => Promise<void> {
  const writer = new TimelineProjectionWriter();
  const offsets = new Map<number, number>();
  return async (events, partition = 0) => {
    const from = offsets.get(partition) ?? 0;
    offsets.set(partition, from + events.length);
    await ds.transaction(async (m) => {
      const r = await writer.apply(m, 'live', positioned(events, { topic, partition, offset: from }));
      await m.query(
        `INSERT INTO projector_offsets (projection, topic, partition, next_offset) VALUES ('live', $1, $2, $3)
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
        [topic, partition, from + events.length],
      );
      if (r.entryIds.length) {
        await notifyTimeline(m, {
          projection: 'live',
          topic,
          partition,
          fromOffset: String(from),
          toOffset: String(from + events.length),
          entryIds: r.entryIds,
        });
      }
    });
  };
}

/** What a projector test needs around the process: its schema, topics and clients. */
export interface ProjectorTestbed {
  readonly ds: DataSource;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Awaited<ReturnType<typeof testProducer>>;
  /** `SELECT count(*) AS n …` as a number. */
  count(sql: string, params?: unknown[]): Promise<number>;
  /** Deletes the topics and the schema, disconnects the clients. */
  close(): Promise<void>;
}

/** A migrated schema, the events topic with `partitions` partitions plus the DLQ topic, and a producer. */
export async function projectorTestbed(config: AppConfig, partitions: number): Promise<ProjectorTestbed> {
  const { ds, drop } = await createTestDatabase(config);
  const kafka = testKafka(config);
  const admin = kafka.admin();
  await admin.connect();
  const deleteTopics = await createTopics(admin, [
    { topic: config.kafka.eventsTopic, numPartitions: partitions },
    { topic: config.kafka.dlqTopic },
  ]);
  const producer = await testProducer(kafka);
  return {
    ds,
    kafka,
    admin,
    producer,
    count: async (sql, params = []) => Number((await ds.query(sql, params))[0].n),
    close: async () => {
      await producer.close();
      await deleteTopics();
      await admin.disconnect();
      await drop();
    },
  };
}
