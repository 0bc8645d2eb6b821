import type { DataSource } from 'typeorm';
import { DLQ_HEADERS } from '@timeline/kafka';
import { compareChecksums, projectionChecksum } from '@timeline/store';
import {
  ForeignProducerPlan,
  createTestDatabase,
  createTopics,
  eventSeries,
  metricValue,
  projectorTestbed,
  readTopic,
  readinessRaised,
  runCli,
  startApp,
  testConfig,
  testKafka,
  uniqueName,
  waitForCaughtUp,
  waitForCount,
  type ForeignRecord,
  type JavaCompression,
  type ProjectorTestbed,
  type RawEvent,
  type RunningApp,
} from './support/index.js';

const CODECS: readonly JavaCompression[] = ['snappy', 'lz4', 'zstd', 'gzip'];
const ids = (events: readonly RawEvent[]) => events.map((e) => e.eventId).sort();

/**
 * Issue 11, items 1, 3 and 4: the built projector (and a rebuild from Kafka) on records written by
 * Apache Kafka's own Java client (kafka-clients, run with the broker's classpath) — every codec, a
 * transactional producer's committed and aborted transactions, and record shapes this project's
 * producers never write (no headers, foreign headers, null key, no recordedAt).
 */
describe('records from foreign producers (Kafka’s Java client) e2e', () => {
  const { env, config } = testConfig({ KAFKA_TOPIC_PARTITIONS: '3' });
  const topic = config.kafka.eventsTopic;
  const brokers = config.kafka.brokers.join(',');
  let bed: ProjectorTestbed;
  let ds: DataSource;
  let projector: RunningApp;

  const tagged = (tag: string, n: number, start: string) =>
    eventSeries(n, Date.parse(start)).map((e, i) => ({ ...e, storyId: `story-${i % 5}`, tags: [tag] }));
  // Valid envelopes, keyed by storyId, WITHOUT the project's type/schemaVersion/eventId headers.
  const byCodec = new Map(CODECS.map((c, i) => [c, tagged(`codec-${c}`, 12, `2022-01-0${i + 1}T00:00:00Z`)]));
  const committed = tagged('tx-committed', 9, '2022-01-10T00:00:00Z');
  const aborted = tagged('tx-aborted', 9, '2022-01-11T00:00:00Z');
  const abortedLast = tagged('tx-aborted-last', 3, '2022-01-12T00:00:00Z');
  // Foreign shapes.
  const conflictingHeaders = readinessRaised({ storyId: 'story-h', summary: 'Headers that contradict the envelope' });
  const nullKey = readinessRaised({ storyId: 'story-n', summary: 'A record without a key' });
  const { recordedAt: _dropped, ...withoutRecordedAt } = readinessRaised({ storyId: 'story-t', summary: 'No recordedAt in the envelope' });
  const createTime = Date.parse('2022-02-01T10:00:00Z');
  const expectedIds = [
    ...[...byCodec.values()].flat().map((e) => e.eventId),
    ...committed.map((e) => e.eventId),
    conflictingHeaders.eventId,
    nullKey.eventId,
    withoutRecordedAt.eventId,
  ].sort();
  const abortedIds = ids([...aborted, ...abortedLast]);

  const record = (e: Record<string, unknown>, extra: Partial<ForeignRecord> = {}): ForeignRecord => ({
    topic,
    key: String(e.storyId),
    value: JSON.stringify(e),
    ...extra,
  });
  const inLog = async (projection: string) =>
    (
      (await ds.query(`SELECT entry_id::text AS id FROM timeline_entries WHERE projection = $1 ORDER BY 1`, [projection])) as {
        id: string;
      }[]
    ).map((r) => r.id);

  beforeAll(async () => {
    bed = await projectorTestbed(config, 3);
    ds = bed.ds;
    projector = await startApp('projector', env);

    // Partitions chosen, not hashed: 0 and 1 get the valid records, 2 gets ONLY records of aborted
    // transactions (and their markers), and 1 ends with an aborted transaction published after the
    // projector caught up — so kafkajs consumes ranges that hold nothing to deliver, which must count
    // as read (lag 0) for the projector and a rebuild alike.
    const onPartition = (events: readonly RawEvent[], partitions: readonly number[]) =>
      events.map((e, i) => record(e, { partition: partitions[i % partitions.length]! }));
    const plan = new ForeignProducerPlan();
    for (const [codec, events] of byCodec) {
      plan.producer(codec, codec);
      plan.send(codec, ...onPartition(events, [0, 1]));
      plan.flush(codec);
    }
    plan
      .producer('shapes', 'lz4')
      .send(
        'shapes',
        // Headers named like the project's, saying something else: the envelope is what counts.
        record(conflictingHeaders, {
          partition: 0,
          headers: { type: 'denial.issued', schemaVersion: '9', eventId: 'not-a-uuid', 'x-origin': 'wire-connector' },
        }),
        record(nullKey, { key: null, partition: 1 }),
        record(withoutRecordedAt, { timestamp: createTime, partition: 0 }),
        // Poison from a foreign producer: not JSON, no key, a header of its own.
        { topic, partition: 1, key: null, value: 'ceci n’est pas un événement', headers: { 'x-origin': 'wire-connector' } },
      )
      .flush('shapes');
    // A transactional producer (zstd): an aborted transaction (partitions 0 and 2), then a committed one.
    const transactionalId = uniqueName('tx');
    plan
      .producer('tx', 'zstd', transactionalId)
      .begin('tx')
      .send('tx', ...onPartition(aborted, [0, 2]))
      .abort('tx')
      .begin('tx')
      .send('tx', ...onPartition(committed, [0, 1]))
      .commit('tx');
    await plan.run(brokers);
    await waitForCount(ds, 'event_log rows', 'SELECT count(*) AS n FROM event_log', expectedIds.length, 120_000);
    // Then one more aborted transaction, fetched on its own: the logs of partitions 1 and 2 end in it.
    await new ForeignProducerPlan()
      .producer('tx', 'zstd', transactionalId)
      .begin('tx')
      .send('tx', ...onPartition(abortedLast, [1, 2]))
      .abort('tx')
      .run(brokers);
    await waitForCaughtUp(ds, bed.kafka, topic, 120_000);
  }, 240_000);
  afterAll(async () => {
    await projector?.stop();
    await bed?.close();
  });

  it('projects every valid record of every codec and every committed transaction exactly once, no aborted one', async () => {
    expect(await inLog('live')).toEqual(expectedIds);
    const archived = (await ds.query(`SELECT event_id::text AS id FROM event_log ORDER BY 1`)) as { id: string }[];
    expect(archived.map((r) => r.id)).toEqual(expectedIds);
    expect(await bed.count(`SELECT count(*) AS n FROM event_log WHERE event_id = ANY($1::uuid[])`, [abortedIds])).toBe(0);
    expect(await bed.count(`SELECT count(*) AS n FROM entry_versions WHERE entry_id = ANY($1::uuid[])`, [abortedIds])).toBe(0);

    // Every partition's stored offset is its high watermark, though partition 2 holds nothing
    // deliverable: records of the two aborted transactions and their two abort markers.
    const marks = new Map((await bed.admin.fetchTopicOffsets(topic)).map((m) => [m.partition, m.high]));
    expect(marks.get(2)).toBe(String(Math.floor(aborted.length / 2) + Math.floor(abortedLast.length / 2) + 2));
    const stored = (await ds.query(
      `SELECT partition, next_offset::text AS next FROM projector_offsets WHERE projection = 'live' ORDER BY 1`,
    )) as {
      partition: number;
      next: string;
    }[];
    expect(stored).toEqual([0, 1, 2].map((p) => ({ partition: p, next: marks.get(p) })));

    // One process did it all: nothing made the projector restart or fail.
    expect(projector.child.exitCode).toBeNull();
    const m = await (await fetch(`${projector.url}/metrics`)).text();
    expect(metricValue(m, 'timeline_projector_events_applied_total')).toBe(expectedIds.length);
    expect(metricValue(m, 'timeline_projector_lag_messages')).toBe(0);
    // The offsets of aborted records and markers were never taken for a gap to seek back over.
    expect(metricValue(m, 'timeline_projector_batches_total', { result: 'gap' })).toBe(0);
  });

  it('takes the envelope, not the headers: a record with contradicting type/eventId headers is projected as its envelope says', async () => {
    const [row] = (await ds.query(`SELECT type, story_id FROM timeline_entries WHERE projection = 'live' AND entry_id = $1`, [
      conflictingHeaders.eventId,
    ])) as { type: string; story_id: string }[];
    expect(row).toEqual({ type: 'readiness.raised', story_id: 'story-h' });
  });

  it('projects a record with a null key (order within a story is not needed: the timeline orders by occurredAt)', async () => {
    expect(await bed.count(`SELECT count(*) AS n FROM timeline_entries WHERE entry_id = $1`, [nullKey.eventId])).toBe(1);
  });

  it('fills a missing recordedAt from the record’s CreateTime, and archives the filled-in value', async () => {
    const [row] = (await ds.query(`SELECT recorded_at, envelope->>'recordedAt' AS archived FROM event_log WHERE event_id = $1`, [
      withoutRecordedAt.eventId,
    ])) as { recorded_at: Date; archived: string }[];
    expect(row!.recorded_at.toISOString()).toBe(new Date(createTime).toISOString());
    expect(row!.archived).toBe(new Date(createTime).toISOString());
  });

  it('dead-letters a foreign poison record with its null key and its own headers kept', async () => {
    const letters = await readTopic(bed.kafka, config.kafka.dlqTopic);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ key: null, value: 'ceci n’est pas un événement' });
    expect(letters[0]!.headers).toMatchObject({ 'x-origin': 'wire-connector', [DLQ_HEADERS.reasonCode]: 'EVENT.MALFORMED_JSON' });
  });

  it('a rebuild from Kafka over the same range skips the aborted records too and equals the live projection', async () => {
    const before = await projectionChecksum(ds, 'live');
    const r = await runCli(['rebuild', '--drop-delay', '1'], env, 240_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/switched the active projection from live to v2/);
    expect(await inLog('v2')).toEqual(expectedIds);
    expect(
      await bed.count(`SELECT count(*) AS n FROM timeline_entries WHERE projection = 'v2' AND entry_id = ANY($1::uuid[])`, [abortedIds]),
    ).toBe(0);
    const after = await projectionChecksum(ds, 'v2');
    expect(compareChecksums(before, after)).toEqual([]);
    expect(after.digest).toBe(before.digest);
  }, 300_000);
});

/** Issue 11, item 4: an events topic whose broker stamps LogAppendTime on every record. */
describe('records on a LogAppendTime topic e2e', () => {
  const { env, config } = testConfig({ KAFKA_TOPIC_PARTITIONS: '1' });
  const topic = config.kafka.eventsTopic;
  let ds: DataSource;
  let drop: () => Promise<void>;
  let deleteTopics: () => Promise<void>;
  let projector: RunningApp;
  const kafka = testKafka(config);
  const admin = kafka.admin();

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    await admin.connect();
    deleteTopics = await createTopics(admin, [
      { topic, numPartitions: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] },
      { topic: config.kafka.dlqTopic },
    ]);
    projector = await startApp('projector', env);
  });
  afterAll(async () => {
    await projector?.stop();
    await deleteTopics?.();
    await admin.disconnect();
    await drop?.();
  });

  it('a missing recordedAt becomes the broker’s append time (the producer’s CreateTime is overwritten); a given one is kept', async () => {
    const { recordedAt: _dropped, ...withoutRecordedAt } = readinessRaised({ storyId: 'story-a', summary: 'No recordedAt, LogAppendTime' });
    const withRecordedAt = readinessRaised({ storyId: 'story-a', summary: 'recordedAt given', recordedAt: '2022-01-24T18:00:00Z' });
    // recordedAt one hour after the append time: "knowledge from the future" by the broker's own clock.
    const future = readinessRaised({
      storyId: 'story-a',
      summary: 'From the future',
      recordedAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const sentAt = Date.now();
    await new ForeignProducerPlan()
      .producer('p', 'snappy')
      .send(
        'p',
        { topic, key: 'story-a', value: JSON.stringify(withoutRecordedAt), timestamp: Date.parse('2022-02-01T10:00:00Z') },
        { topic, key: 'story-a', value: JSON.stringify(withRecordedAt), timestamp: Date.parse('2022-02-01T10:00:00Z') },
        { topic, key: 'story-a', value: JSON.stringify(future) },
      )
      .flush('p')
      .run(config.kafka.brokers.join(','));
    const flushedAt = Date.now();
    await waitForCaughtUp(ds, kafka, topic, 60_000);

    const rows = (await ds.query(`SELECT event_id::text AS id, recorded_at FROM event_log`)) as { id: string; recorded_at: Date }[];
    const recorded = new Map(rows.map((r) => [r.id, r.recorded_at.getTime()]));
    expect([...recorded.keys()].sort()).toEqual([withoutRecordedAt.eventId, withRecordedAt.eventId].sort());
    expect(recorded.get(withoutRecordedAt.eventId)).toBeGreaterThanOrEqual(sentAt - 5_000); // broker clock, not 2022-02-01
    expect(recorded.get(withoutRecordedAt.eventId)).toBeLessThanOrEqual(flushedAt + 5_000);
    expect(recorded.get(withRecordedAt.eventId)).toBe(Date.parse('2022-01-24T18:00:00Z'));

    const letters = await readTopic(kafka, config.kafka.dlqTopic);
    expect(letters.map((l) => [JSON.parse(l.value).eventId, l.headers[DLQ_HEADERS.reasonCode]])).toEqual([
      [future.eventId, 'EVENT.RECORDED_IN_FUTURE'],
    ]);
  }, 120_000);
});
