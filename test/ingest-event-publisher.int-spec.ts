import type { Admin, Kafka } from 'kafkajs';
import { fixedClock, prepareEvent, type PreparedEvent } from '@timeline/events';
import { EVENT_HEADERS, EventPublisher, KafkaPublishError } from '@timeline/kafka';
import type { KafkaCompression } from '@timeline/config';
import { createTopics, javaConsume, readTopic, testConfig, testKafka, uniqueName } from './support/index.js';

const clock = fixedClock('2022-01-24T18:30:00Z');

function prepared(storyId: string, summary: string): PreparedEvent {
  const r = prepareEvent(
    {
      type: 'readiness.raised',
      occurredAt: '2022-01-24T00:00:00Z',
      occurredAtPrecision: 'day',
      storyId,
      actors: [{ id: 'us-dod', name: 'US Department of Defense', country: 'US', role: 'subject' }],
      locations: [{ name: 'Washington', country: 'US', geoPrecision: 1 }],
      sources: [{ role: 'primary', outlet: 'US Department of Defense', url: 'https://www.defense.gov/' }],
      tags: [],
      confirmation: 'confirmed',
      summary,
      payload: { forceSize: 8500 },
    },
    { clock },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.envelope;
}

describe('EventPublisher on a real broker', () => {
  const { config } = testConfig();
  let kafka: Kafka;
  let admin: Admin;
  const cleanups: (() => Promise<void>)[] = [];
  const publishers: EventPublisher[] = [];

  async function publisherFor(topic: string, opts: Partial<ConstructorParameters<typeof EventPublisher>[1]> = {}) {
    const p = new EventPublisher(kafka, { topic, ...opts });
    await p.connect();
    publishers.push(p);
    return p;
  }

  beforeAll(async () => {
    kafka = testKafka(config);
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.disconnect()));
    for (const c of cleanups) await c();
    await admin.disconnect();
  });

  it('publishes a batch in one send, keyed by storyId, with routing headers and exact offsets', async () => {
    const topic = `${uniqueName('pub')}.events`;
    cleanups.push(await createTopics(admin, [{ topic, numPartitions: 3 }]));
    const publisher = await publisherFor(topic);
    const events = [
      prepared('story-a', 'a1'),
      prepared('story-b', 'b1'),
      prepared('story-a', 'a2'),
      prepared('story-c', 'c1'),
      prepared('story-b', 'b2'),
    ];
    const published = await publisher.publish(events);
    expect(published.map((p) => p.eventId)).toEqual(events.map((e) => e.eventId));

    const records = await readTopic(kafka, topic);
    expect(records).toHaveLength(5);
    for (const [i, e] of events.entries()) {
      const at = published[i]!;
      const rec = records.find((r) => r.partition === at.partition && r.offset === at.offset);
      expect(rec).toBeDefined();
      expect(rec!.key).toBe(e.storyId);
      expect(JSON.parse(rec!.value)).toEqual(e);
      expect(rec!.headers).toEqual({
        [EVENT_HEADERS.type]: 'readiness.raised',
        [EVENT_HEADERS.schemaVersion]: '2',
        [EVENT_HEADERS.eventId]: e.eventId,
        [EVENT_HEADERS.contentType]: 'application/json',
        [EVENT_HEADERS.producer]: 'ingest',
        // CloudEvents Kafka binding, binary mode (issue 18).
        ce_specversion: '1.0',
        ce_id: e.eventId,
        ce_type: 'readiness.raised',
        ce_source: `urn:timeline:story:${e.storyId}`,
        ce_time: e.recordedAt,
        ce_dataschema: 'urn:timeline:event:readiness.raised:v2',
      });
      expect(rec!.timestamp).toBe(String(Date.parse('2022-01-24T18:30:00Z')));
    }
    // One story, one partition, in send order.
    const storyA = published.filter((_, i) => events[i]!.storyId === 'story-a');
    expect(storyA[0]!.partition).toBe(storyA[1]!.partition);
    expect(BigInt(storyA[1]!.offset)).toBeGreaterThan(BigInt(storyA[0]!.offset));
  });

  it('accepts the same eventId twice (deduplication is the projector’s job)', async () => {
    const topic = `${uniqueName('pub')}.events`;
    cleanups.push(await createTopics(admin, [{ topic, numPartitions: 1 }]));
    const publisher = await publisherFor(topic);
    const e = prepared('story-a', 'again');
    const [first] = await publisher.publish([e]);
    const [second] = await publisher.publish([e]);
    expect(second!.offset).not.toBe(first!.offset);
    expect((await readTopic(kafka, topic)).map((r) => JSON.parse(r.value).eventId)).toEqual([e.eventId, e.eventId]);
  });

  it('turns a topic that does not exist into a retriable KafkaPublishError (no auto-creation)', async () => {
    const topic = `${uniqueName('missing')}.events`;
    const publisher = await publisherFor(topic, { retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 } });
    const err = await publisher.publish([prepared('story-a', 'lost')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaPublishError);
    expect((err as KafkaPublishError).retriable).toBe(true);
    expect((await admin.listTopics()).includes(topic)).toBe(false);
  });

  it('coalesces publishes made while a send is in flight, each caller getting its own exact offsets', async () => {
    const topic = `${uniqueName('coalesce')}.events`;
    cleanups.push(await createTopics(admin, [{ topic, numPartitions: 1 }]));
    const publisher = await publisherFor(topic);
    const events = Array.from({ length: 60 }, (_, i) => prepared('story-a', `single ${i}`));
    const results = await Promise.all(events.map((e) => publisher.publish([e])));
    expect(results.map((r) => r.length)).toEqual(events.map(() => 1));
    const offsets = results.map((r) => Number(r[0]!.offset));
    expect(new Set(offsets).size).toBe(60);
    // Offsets say where each caller's event really is.
    const byOffset = new Map((await readTopic(kafka, topic)).map((r) => [r.offset, JSON.parse(r.value).eventId as string]));
    for (const [i, r] of results.entries()) expect(byOffset.get(r[0]!.offset)).toBe(events[i]!.eventId);
  });

  it('answers each coalesced caller alone when the combined send is refused for its size', async () => {
    const topic = `${uniqueName('small2')}.events`;
    cleanups.push(async () => void (await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)));
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] }],
      waitForLeaders: true,
    });
    const publisher = await publisherFor(topic);
    const first = publisher.publish([prepared('story-a', 'in flight')]);
    // Queued behind `first`, so sent together: the big batch is refused, the small one must still land.
    const big = publisher.publish(Array.from({ length: 10 }, (_, i) => prepared('story-a', `big ${i} ${'x'.repeat(400)}`)));
    const small = publisher.publish([prepared('story-a', 'small')]);
    await expect(first).resolves.toHaveLength(1);
    await expect(big).rejects.toMatchObject({ tooLarge: true });
    await expect(small).resolves.toHaveLength(1);
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets[0]!.high).toBe('2');
  });

  it('reports a batch the broker refuses for its size as tooLarge, not retriable', async () => {
    const topic = `${uniqueName('small')}.events`;
    cleanups.push(async () => void (await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)));
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] }],
      waitForLeaders: true,
    });
    const publisher = await publisherFor(topic);
    const batch = Array.from({ length: 10 }, (_, i) => prepared('story-a', `big ${i} ${'x'.repeat(400)}`));
    const err = await publisher.publish(batch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaPublishError);
    expect(err).toMatchObject({ tooLarge: true, retriable: false });
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets[0]!.high).toBe('0');
  });

  it('publishes with every KAFKA_COMPRESSION codec: the broker stores it compressed and Kafka’s Java consumer reads every event', async () => {
    // 150 events of ~700 bytes: ~100 KB in one batch, so lz4 (64 KB) and snappy (32 KB) write several blocks.
    const events = Array.from({ length: 150 }, (_, i) =>
      prepared(`story-${i % 4}`, `compressed ${i}: ${'Troops moved near the border. '.repeat(8)}`),
    );
    const logBytes = new Map<KafkaCompression, number>();
    for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const topic = `${uniqueName(`codec-${compression}`)}.events`;
      // Kept forever: the events' 2022 timestamps are past the broker's default 7-day retention.
      cleanups.push(await createTopics(admin, [{ topic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] }]));
      const publisher = await publisherFor(topic, { compression });
      await publisher.publish(events);
      const read = await javaConsume(config.kafka.brokers.join(','), topic, events.length);
      expect(read.records.map((r) => JSON.parse(r.value!.toString('utf8')))).toEqual(events);
      expect(read.records.map((r) => r.key?.toString())).toEqual(events.map((e) => e.storyId));
      logBytes.set(compression, read.logBytes);
    }
    const none = logBytes.get('none')!;
    expect(none).toBeGreaterThan(100_000);
    // Compressed batches take well under half the bytes of the uncompressed one in the broker's log.
    const halved = (['gzip', 'snappy', 'lz4', 'zstd'] as const).map((c) => [c, logBytes.get(c)! < none / 2, logBytes.get(c)]);
    expect(halved).toEqual([
      ['gzip', true, expect.any(Number)],
      ['snappy', true, expect.any(Number)],
      ['lz4', true, expect.any(Number)],
      ['zstd', true, expect.any(Number)],
    ]);
  }, 180_000);
});
