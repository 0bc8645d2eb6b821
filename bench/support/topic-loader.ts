import { CompressionTypes, type Kafka } from 'kafkajs';
import { eventMessage } from '@timeline/kafka';
import { EnvelopeGenerator } from './envelope-generator.js';

/** What {@link loadTopic} wrote. */
export interface LoadedTopic {
  readonly events: number;
  readonly bytes: number;
  readonly seconds: number;
}

/**
 * Fills `topic` with the first `n` envelopes of the seeded sequence (setup, not a measurement):
 * generated and validated in chunks so memory stays flat at any `n`.
 */
export async function loadTopic(kafka: Kafka, topic: string, n: number, seed?: string): Promise<LoadedTopic> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const gen = new EnvelopeGenerator(seed ? { seed } : {});
  const t0 = performance.now();
  let bytes = 0;
  let sent = 0;
  try {
    // One send at a time: concurrent sends may land out of order, and a correction must follow its
    // target within the story's partition, as the ingest (one request in flight) guarantees.
    while (sent < n) {
      const k = Math.min(2000, n - sent);
      const messages = gen.take(k).map((e) => eventMessage(e));
      for (const m of messages) bytes += (m.value as string).length;
      sent += k;
      await producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
      if (process.stderr.isTTY && sent % 50_000 === 0) process.stderr.write(`\r[bench] loading ${topic}: ${sent}/${n}`);
    }
  } finally {
    await producer.disconnect();
  }
  if (process.stderr.isTTY && n >= 50_000) process.stderr.write('\n');
  return { events: n, bytes, seconds: (performance.now() - t0) / 1000 };
}

/** Sum of the high watermarks of a topic (messages in it, when it starts at 0). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((s, o) => s + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}
