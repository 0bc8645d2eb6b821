import type { Kafka } from 'kafkajs';
import { uniqueName } from './names.js';
import { waitFor } from './wait.js';

/** One record read back from a topic, decoded for assertions. */
export interface ReadRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly headers: Record<string, string>;
  readonly value: string;
  readonly timestamp: string;
}

/**
 * Reads every record currently on `topic` (up to the high watermarks at call time) with a throwaway
 * consumer group, sorted by partition then offset.
 */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<ReadRecord[]> {
  const expected = await countTopicRecords(kafka, topic);
  if (expected === 0) return [];
  const records: ReadRecord[] = [];
  // A short fetch wait: disconnect() waits for the fetch in flight (5 s by default, after every read).
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = v.toString();
        records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          headers,
          value: message.value?.toString() ?? '',
          timestamp: message.timestamp,
        });
      },
    });
    await waitFor(`${expected} records on ${topic}`, () => (records.length >= expected ? true : undefined), timeoutMs);
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** Sum of the topic's high watermarks minus low watermarks: how many records it holds. */
export async function countTopicRecords(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + (Number(o.high) - Number(o.low)), 0);
  } finally {
    await admin.disconnect();
  }
}
