import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { DLQ_HEADERS } from '@timeline/kafka';
import {
  entryCorrected,
  entryRetracted,
  eventMessage,
  eventSeries,
  metricValue,
  projectorTestbed,
  readTopic,
  readinessRaised,
  shuffled,
  startApp,
  statementIssued,
  testConfig,
  waitFor,
  waitForCaughtUp,
  waitForCount,
  type ProjectorTestbed,
  type RunningApp,
} from './support/index.js';

/** The built projector process against real Kafka and Postgres (issue 4 acceptance). */
describe('projector e2e', () => {
  const { env, config } = testConfig({ KAFKA_TOPIC_PARTITIONS: '3' });
  const topic = config.kafka.eventsTopic;
  let bed: ProjectorTestbed;
  let ds: DataSource;
  let kafka: Kafka;
  let admin: Admin;
  let producer: ProjectorTestbed['producer'];
  let projector: RunningApp | undefined;

  const count = (sql: string, params: unknown[] = []) => bed.count(sql, params);
  const metrics = async () => (await fetch(`${projector!.url}/metrics`)).text();

  beforeAll(async () => {
    bed = await projectorTestbed(config, 3);
    ({ ds, kafka, admin, producer } = bed);
    projector = await startApp('projector', env);
  });
  afterAll(async () => {
    await projector?.stop();
    await bed.close();
  });

  // Stories spread the events over the three partitions (key = storyId).
  const series = eventSeries(240).map((e, i) => ({ ...e, storyId: `story-${i % 7}` }));

  it('projects events published in shuffled order: one row per eventId, in occurred-time order', async () => {
    const republished = series.slice(0, 20);
    await producer.send(
      topic,
      shuffled([...series, ...republished]).map((e) => eventMessage(e)),
    );

    await waitForCount(ds, 'event_log rows', 'SELECT count(*) AS n FROM event_log', series.length);
    await waitForCaughtUp(ds, kafka, topic);
    expect(await count(`SELECT count(*) AS n FROM timeline_entries WHERE projection = 'live'`)).toBe(series.length);
    const order: { entry_id: string }[] = await ds.query(
      `SELECT entry_id FROM timeline_entries WHERE projection = 'live' ORDER BY occurred_at, recorded_at, entry_id`,
    );
    const expected = [...series].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt)).map((e) => e.eventId);
    expect(order.map((r) => r.entry_id)).toEqual(expected);

    const m = await metrics();
    expect(metricValue(m, 'timeline_projector_events_applied_total')).toBe(series.length);
    expect(metricValue(m, 'timeline_projector_messages_total', { outcome: 'duplicate' })).toBe(republished.length);
    expect(metricValue(m, 'timeline_projector_batches_total', { result: 'committed' })).toBeGreaterThan(0);
    expect(metricValue(m, 'timeline_projector_batch_duration_seconds_count')).toBeGreaterThan(0);
    expect(metricValue(m, 'timeline_projector_lag_messages')).toBe(0);

    const health = (await (await fetch(`${projector!.url}/health`)).json()) as {
      status: string;
      checks: {
        projector: { status: string; state: string; projection: string; lag: number; assignedPartitions: number[]; partitions: unknown[] };
      };
    };
    expect(health.status).toBe('up');
    expect(health.checks.projector).toMatchObject({
      status: 'up',
      state: 'running',
      projection: 'live',
      lag: 0,
      assignedPartitions: [0, 1, 2],
    });
    expect(health.checks.projector.partitions).toHaveLength(3);
  }, 180_000);

  it('publishing the same events again, then a forced seek back, changes nothing', async () => {
    const snapshot = () =>
      ds.query(
        `SELECT entry_id, version, event_id, status, summary, recorded_from, recorded_to FROM entry_versions
         WHERE projection = 'live' ORDER BY entry_id, version`,
      );
    const before = await snapshot();
    const logBefore = await ds.query(`SELECT event_id, source_partition, source_offset FROM event_log ORDER BY event_id`);

    await producer.send(
      topic,
      series.map((e) => eventMessage(e)),
    );
    await waitForCaughtUp(ds, kafka, topic);
    expect(await snapshot()).toEqual(before);

    // Forced seek back: Kafka's group offsets go to the beginning AND partition 0 loses its stored
    // offset, so its whole history really is redelivered through the writer after the restart.
    const stopped = await projector!.stop();
    expect(stopped.code).toBe(0);
    await admin.resetOffsets({ groupId: config.projector.groupId, topic, earliest: true });
    await ds.query(`DELETE FROM projector_offsets WHERE topic = $1 AND partition = 0`, [topic]);
    projector = await startApp('projector', env);
    await waitForCaughtUp(ds, kafka, topic);

    expect(await snapshot()).toEqual(before);
    expect(await ds.query(`SELECT event_id, source_partition, source_offset FROM event_log ORDER BY event_id`)).toEqual(logBefore);
    const m = await metrics();
    expect(metricValue(m, 'timeline_projector_events_applied_total')).toBe(0);
    expect(metricValue(m, 'timeline_projector_messages_total', { outcome: 'duplicate' })).toBeGreaterThan(0);
  }, 180_000);

  it('turns corrections and retractions into versions, including a correction that arrives first on another partition', async () => {
    const target = readinessRaised({
      storyId: 'story-correction-a',
      occurredAt: '2022-01-24T00:00:00Z',
      recordedAt: '2022-01-24T18:00:00Z',
    });
    const early = entryCorrected(
      target,
      { summary: 'Corrected: 8,500 troops on alert, ships and jets to the Baltics' },
      { storyId: 'story-x', recordedAt: '2022-01-25T09:00:00Z' },
    );
    const killed = statementIssued({ storyId: 'story-correction-a' });
    const kill = entryRetracted(killed, 'Misattributed quote', { storyId: 'story-correction-a', recordedAt: '2022-01-26T09:00:00Z' });
    // The correction goes to partition 2 and is consumed before its target exists (partition 0).
    await producer.send(topic, [eventMessage(early, 2)]);
    await waitForCount(ds, 'pending correction', `SELECT count(*) AS n FROM pending_corrections WHERE event_id = '${early.eventId}'`, 1);
    await producer.send(topic, [eventMessage(target, 0), eventMessage(killed, 0), eventMessage(kill, 0)]);
    await waitForCount(ds, 'retraction applied', `SELECT count(*) AS n FROM entry_versions WHERE event_id = '${kill.eventId}'`, 1);
    await waitForCount(ds, 'early correction applied', `SELECT count(*) AS n FROM entry_versions WHERE event_id = '${early.eventId}'`, 1);

    const versions = async (id: string) =>
      ds.query(`SELECT version, change, status, summary FROM entry_versions WHERE projection = 'live' AND entry_id = $1 ORDER BY version`, [
        id,
      ]);
    expect(await versions(target.eventId)).toEqual([
      { version: 1, change: 'created', status: 'live', summary: target.summary },
      { version: 2, change: 'corrected', status: 'corrected', summary: 'Corrected: 8,500 troops on alert, ships and jets to the Baltics' },
    ]);
    expect((await versions(killed.eventId)).map((v: { status: string }) => v.status)).toEqual(['live', 'retracted']);
    // As known before the correction was recorded, the entry read as first published.
    const asOf = await ds.query(
      `SELECT summary FROM entry_versions WHERE projection = 'live' AND entry_id = $1 AND recorded_from <= $2 AND (recorded_to IS NULL OR recorded_to > $2)`,
      [target.eventId, '2022-01-25T00:00:00Z'],
    );
    expect(asOf).toEqual([{ summary: target.summary }]);
    expect(await count(`SELECT count(*) AS n FROM pending_corrections`)).toBe(0);
  }, 180_000);

  it('dead-letters invalid JSON, a schema-invalid event and an unknown type with reasons, and applies the events after them', async () => {
    const after = statementIssued({ storyId: 'story-after-poison' });
    const schemaInvalid = { ...readinessRaised(), payload: { forceSize: 'eight thousand' } };
    const unknownType = { ...readinessRaised(), type: 'troops.teleported' };
    await producer.send(topic, [
      { key: 'poison', value: '{"eventId": "7c0e', partition: 1 },
      { key: 'poison', value: JSON.stringify(schemaInvalid), partition: 1 },
      { key: 'poison', value: JSON.stringify(unknownType), partition: 1 },
      eventMessage(after, 1),
    ]);
    await waitForCount(ds, 'event after the poison', `SELECT count(*) AS n FROM timeline_entries WHERE entry_id = '${after.eventId}'`, 1);

    const letters = await readTopic(kafka, config.kafka.dlqTopic);
    expect(letters.map((l) => l.headers[DLQ_HEADERS.reasonCode])).toEqual([
      'EVENT.MALFORMED_JSON',
      'EVENT.INVALID_PAYLOAD',
      'EVENT.UNKNOWN_TYPE',
    ]);
    const marks = await admin.fetchTopicOffsets(topic);
    const high = BigInt(marks.find((m) => m.partition === 1)!.high);
    expect(letters.map((l) => l.headers[DLQ_HEADERS.originalOffset])).toEqual([high - 4n, high - 3n, high - 2n].map(String));
    for (const l of letters) {
      expect(l.headers).toMatchObject({
        [DLQ_HEADERS.originalTopic]: topic,
        [DLQ_HEADERS.originalPartition]: '1',
        [DLQ_HEADERS.consumerGroup]: config.projector.groupId,
      });
      expect(l.key).toBe('poison');
      expect(Date.parse(l.headers[DLQ_HEADERS.failedAt]!)).not.toBeNaN();
    }
    expect(letters[0]!.value).toBe('{"eventId": "7c0e');
    expect(letters[1]!.headers[DLQ_HEADERS.reason]).toContain('/payload/forceSize');
    expect(letters[2]!.headers[DLQ_HEADERS.reason]).toContain('troops.teleported');
    expect(
      await count(`SELECT count(*) AS n FROM event_log WHERE event_id = ANY($1)`, [[schemaInvalid.eventId, unknownType.eventId]]),
    ).toBe(0);

    const m = await metrics();
    expect(metricValue(m, 'timeline_projector_dead_letters_total')).toBe(3);
    expect(metricValue(m, 'timeline_projector_dead_letters_total', { reason_code: 'EVENT.UNKNOWN_TYPE' })).toBe(1);
    await waitFor('offsets past the poison', async () => {
      const [row] = await ds.query(`SELECT next_offset::text AS n FROM projector_offsets WHERE topic = $1 AND partition = 1`, [topic]);
      return row?.n === String(high) ? true : undefined;
    });
  }, 180_000);
});
