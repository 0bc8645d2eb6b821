import type { Admin, Kafka } from 'kafkajs';
import { EVENT_HEADERS } from '@timeline/kafka';
import { ProjectorOffset } from '@timeline/store';
import { createTestDatabase, createTopics, fetchApiVersions, testConfig, testKafka, uniqueName, waitFor } from './support/index.js';

describe('real Apache Kafka broker', () => {
  const { config } = testConfig();
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = testKafka(config);
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  it('is a Kafka 4.x KRaft node (API versions only a real 4.x broker reports)', async () => {
    const versions = await fetchApiVersions(config.kafka.brokers[0] as string);
    // KIP-896 (Kafka 4.0) removed Fetch v0–v3: a 4.x broker's minimum Fetch version is 4.
    expect(versions.get(1)?.[0]).toBeGreaterThanOrEqual(4);
    // DescribeTopicPartitions (75) exists since 3.8; ConsumerGroupHeartbeat (68) since 3.7.
    expect(versions.has(75)).toBe(true);
    expect(versions.has(68)).toBe(true);
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.controller).not.toBeNull();
  });

  it('produces with an idempotent producer and consumes the same message back', async () => {
    const topic = uniqueName('infra-topic');
    const cleanup = await createTopics(admin, [{ topic, numPartitions: 2 }]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: uniqueName('infra-group') });
    try {
      await producer.connect();
      const [meta] = await producer.send({
        topic,
        acks: -1,
        messages: [{ key: 'story-1', value: JSON.stringify({ hello: 'kafka' }), headers: { [EVENT_HEADERS.type]: 'statement.issued' } }],
      });
      expect(meta?.errorCode).toBe(0);
      const received: { key: string; value: string; type: string }[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
            type: message.headers?.[EVENT_HEADERS.type]?.toString() ?? '',
          });
        },
      });
      await waitFor('the message to be consumed', () => (received.length > 0 ? true : undefined), 30_000);
      expect(received).toEqual([{ key: 'story-1', value: '{"hello":"kafka"}', type: 'statement.issued' }]);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await cleanup();
    }
  });
});

describe('real PostgreSQL', () => {
  it('runs the migrations into a fresh schema and round-trips a row through TypeORM', async () => {
    const { config } = testConfig();
    const db = await createTestDatabase(config);
    try {
      const version = await db.ds.query('SHOW server_version_num');
      expect(Number(version[0].server_version_num)).toBeGreaterThanOrEqual(140000);
      const repo = db.ds.getRepository(ProjectorOffset);
      await repo.insert({ projection: 'live', topic: 'timeline.events', partition: 2, nextOffset: '42', updatedAt: new Date() });
      const row = await repo.findOneByOrFail({ projection: 'live', topic: 'timeline.events', partition: 2 });
      expect(row.nextOffset).toBe('42');
      const tables = await db.ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [
        config.database.schema,
      ]);
      expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(
        expect.arrayContaining(['event_log', 'projector_offsets', 'timeline_entries', 'entry_versions', 'timeline_entries__live']),
      );
      const active = await db.ds.query('SELECT name FROM active_projection');
      expect(active).toEqual([{ name: 'live' }]);
    } finally {
      await db.drop();
    }
  });
});
