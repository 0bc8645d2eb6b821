import net from 'node:net';
import { type Kafka, logLevel, type Admin } from 'kafkajs';
import type { AppConfig } from '@timeline/config';
import { createKafka, waitForTopicLeaders } from '@timeline/kafka';

/** A kafkajs client for tests (quiet logs). */
export function testKafka(config: AppConfig): Kafka {
  return createKafka(config.kafka, undefined, { logLevel: logLevel.NOTHING });
}

/** Creates topics for a test and returns a cleanup that deletes them. */
export async function createTopics(
  admin: Admin,
  topics: { topic: string; numPartitions?: number; configEntries?: { name: string; value: string }[] }[],
): Promise<() => Promise<void>> {
  // Leaders awaited by polling (waitForTopicLeaders), not kafkajs's short waitForLeaders retries.
  await admin.createTopics({ topics: topics.map((t) => ({ numPartitions: 1, ...t })), waitForLeaders: false });
  await waitForTopicLeaders(
    admin,
    topics.map((t) => t.topic),
  );
  return async () => {
    await admin.deleteTopics({ topics: topics.map((t) => t.topic) }).catch(() => undefined);
  };
}

/**
 * Sends a raw ApiVersions v0 request to a broker and returns `apiKey → [min, max]`. Independent of
 * kafkajs internals, so tests can prove the peer is a real Apache Kafka of a given generation.
 */
export function fetchApiVersions(broker: string): Promise<Map<number, [number, number]>> {
  const [host, port] = broker.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: Number(port) });
    const clientId = Buffer.from('timeline-test');
    const req = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
    let o = 0;
    o = req.writeInt32BE(req.length - 4, o);
    o = req.writeInt16BE(18, o); // ApiVersions
    o = req.writeInt16BE(0, o); // v0
    o = req.writeInt32BE(42, o); // correlation id
    o = req.writeInt16BE(clientId.length, o);
    clientId.copy(req, o);
    let buf = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error('ApiVersions timed out')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      socket.end();
      let p = 4;
      const correlationId = buf.readInt32BE(p);
      p += 4;
      const errorCode = buf.readInt16BE(p);
      p += 2;
      if (correlationId !== 42 || errorCode !== 0) return reject(new Error(`ApiVersions error ${errorCode}`));
      const n = buf.readInt32BE(p);
      p += 4;
      const map = new Map<number, [number, number]>();
      for (let i = 0; i < n; i++) {
        map.set(buf.readInt16BE(p), [buf.readInt16BE(p + 2), buf.readInt16BE(p + 4)]);
        p += 6;
      }
      resolve(map);
    });
    socket.write(req);
  });
}
