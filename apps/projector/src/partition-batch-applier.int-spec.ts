import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { eventCatalogue } from '@timeline/events';
import { DLQ_HEADERS, DeadLetterPublisher } from '@timeline/kafka';
import { createLogger } from '@timeline/observability';
import { TIMELINE_NOTIFY_CHANNEL, TimelineProjectionWriter, parseTimelineNotification, type TimelineNotification } from '@timeline/store';
import {
  entryCorrected,
  projectorTestbed,
  readTopic,
  readinessRaised,
  statementIssued,
  testConfig,
  waitFor,
  type ProjectorTestbed,
  type RawEvent,
} from '../../../test/support/index.js';
import { OffsetStore } from './offset-store.js';
import { PartitionBatchApplier, type PartitionBatch } from './partition-batch-applier.js';
import { PartitionWatermarks } from './partition-watermarks.js';
import { ProjectionLag } from './projection-lag.js';
import { ProjectorMetrics } from './projector-metrics.js';

/** One batch transaction against real Postgres and a real Kafka dead-letter topic, batches built by hand. */
describe('PartitionBatchApplier (real Postgres + Kafka)', () => {
  const { config } = testConfig();
  const topic = config.kafka.eventsTopic;
  let bed: ProjectorTestbed;
  let ds: DataSource;
  let kafka: Kafka;
  let admin: Admin;
  let dlq: DeadLetterPublisher;
  let applier: PartitionBatchApplier;
  let metrics: ProjectorMetrics;
  const offsets = new OffsetStore();
  const noHooks = { heartbeat: async () => undefined };

  const build = (publisher: DeadLetterPublisher) => {
    const marks = new PartitionWatermarks(admin);
    metrics = new ProjectorMetrics(new Registry(), new ProjectionLag(ds, offsets, marks, topic));
    return new PartitionBatchApplier(
      ds,
      eventCatalogue,
      new TimelineProjectionWriter(),
      offsets,
      marks,
      publisher,
      metrics,
      createLogger('test', 'silent'),
    );
  };

  beforeAll(async () => {
    bed = await projectorTestbed(config, 2);
    ({ ds, kafka, admin } = bed);
    dlq = new DeadLetterPublisher(kafka, { topic: config.kafka.dlqTopic, consumerGroup: 'g', now: () => new Date('2022-02-24T03:00:00Z') });
    await dlq.connect();
    applier = build(dlq);
  });
  afterAll(async () => {
    await dlq.disconnect();
    await bed.close();
  });

  const message = (offset: number, value: string | RawEvent | null, key = 'russia-ukraine-2022'): KafkaMessage =>
    ({
      key: Buffer.from(key),
      value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
      offset: String(offset),
      timestamp: String(Date.now()),
      attributes: 0,
      headers: { type: 'test' },
    }) as KafkaMessage;
  const batch = (partition: number, from: number, values: (string | RawEvent | null)[]): PartitionBatch => ({
    topic,
    partition,
    fetchedOffset: String(from),
    lastOffset: String(from + values.length - 1),
    messages: values.map((v, i) => message(from + i, v)),
  });
  const stored = async (partition: number) =>
    (await ds.query(`SELECT next_offset::text AS n FROM projector_offsets WHERE topic = $1 AND partition = $2`, [topic, partition]))[0]?.n;
  const logCount = () => bed.count(`SELECT count(*) AS n FROM event_log`);

  it('applies a batch, stores the next offset and notifies listeners only after the commit', async () => {
    const runner = ds.createQueryRunner();
    await runner.connect();
    const heard: TimelineNotification[] = [];
    const pg = (runner as unknown as { databaseConnection: { on(e: string, f: (m: { channel: string; payload: string }) => void): void } })
      .databaseConnection;
    pg.on('notification', (m) => {
      const n = m.channel === TIMELINE_NOTIFY_CHANNEL ? parseTimelineNotification(m.payload) : null;
      if (n && n.schema === config.database.schema) heard.push(n);
    });
    await runner.query(`LISTEN ${TIMELINE_NOTIFY_CHANNEL}`);
    try {
      const events = [readinessRaised(), statementIssued()];
      const out = await applier.apply(batch(0, 0, events), noHooks);
      expect(out).toMatchObject({ kind: 'committed', projection: 'live', nextOffset: '2', lastOffset: '1' });
      expect(out.kind === 'committed' && out.counts).toEqual({ applied: 2, duplicate: 0, deferred: 0, dead_lettered: 0, fenced: 0 });
      expect(await stored(0)).toBe('2');
      await waitFor('notification', () => (heard.length ? true : undefined), 5000);
      expect(heard[0]).toMatchObject({
        projection: 'live',
        topic,
        partition: 0,
        fromOffset: '0',
        toOffset: '2',
        entryCount: 2,
        truncated: false,
      });
      expect([...heard[0]!.entryIds].sort()).toEqual(events.map((e) => e.eventId).sort());
    } finally {
      await runner.release();
    }
  });

  it('fences: messages below the stored offset are skipped, a batch wholly below it is a seek ahead', async () => {
    const fresh = readinessRaised();
    // A stale redelivery of offsets 0..1 plus one new message at 2.
    const out = await applier.apply(batch(0, 0, [readinessRaised(), statementIssued(), fresh]), noHooks);
    expect(out.kind === 'committed' && out.counts).toMatchObject({ applied: 1, fenced: 2 });
    expect(await stored(0)).toBe('3');
    expect(await logCount()).toBe(3);
    expect(await applier.apply(batch(0, 1, [readinessRaised(), readinessRaised()]), noHooks)).toEqual({
      kind: 'seek',
      projection: 'live',
      offset: '3',
      reason: 'behind',
    });
    expect(await logCount()).toBe(3);
  });

  it('refuses a batch that starts after the stored offset (a gap) and writes nothing', async () => {
    expect(await applier.apply(batch(0, 5, [readinessRaised()]), noHooks)).toEqual({
      kind: 'seek',
      projection: 'live',
      offset: '3',
      reason: 'gap',
    });
    // A partition never applied starts at the log start (0 here).
    expect(await applier.apply(batch(1, 4, [readinessRaised()]), noHooks)).toMatchObject({ kind: 'seek', offset: '0', reason: 'gap' });
    expect(await stored(1)).toBeUndefined();
    expect(await logCount()).toBe(3);
  });

  it('accepts the start after the stored offset when the consumer reported those offsets held only transaction markers', async () => {
    const ev = readinessRaised();
    const out = await applier.apply(batch(0, 4, [ev]), { ...noHooks, skipped: { from: '3', to: '4' } });
    expect(out).toMatchObject({ kind: 'committed', nextOffset: '5' });
  });

  it('dead-letters poison messages with reasons and original bytes, and applies the events after them', async () => {
    const before = readinessRaised();
    const after = statementIssued();
    const values = [
      JSON.stringify(before),
      '{"eventId": "not closed',
      JSON.stringify({ ...readinessRaised(), payload: { forceSize: 'many' } }),
      JSON.stringify({ ...readinessRaised(), type: 'troops.teleported' }),
      JSON.stringify({ ...statementIssued(), schemaVersion: 9 }),
      null,
      JSON.stringify(after),
    ];
    const out = await applier.apply(batch(0, 5, values), noHooks);
    expect(out.kind === 'committed' && out.counts).toMatchObject({ applied: 2, dead_lettered: 5 });
    expect(await stored(0)).toBe('12');
    const dlqMessages = await readTopic(kafka, config.kafka.dlqTopic);
    expect(dlqMessages.map((m) => [m.headers[DLQ_HEADERS.originalOffset], m.headers[DLQ_HEADERS.reasonCode]])).toEqual([
      ['6', 'EVENT.MALFORMED_JSON'],
      ['7', 'EVENT.INVALID_PAYLOAD'],
      ['8', 'EVENT.UNKNOWN_TYPE'],
      ['9', 'EVENT.UNSUPPORTED_VERSION'],
      ['10', 'EVENT.MALFORMED_JSON'],
    ]);
    const first = dlqMessages[0]!;
    expect(first.value).toBe('{"eventId": "not closed');
    expect(first.key).toBe('russia-ukraine-2022');
    expect(first.headers).toMatchObject({
      [DLQ_HEADERS.originalTopic]: topic,
      [DLQ_HEADERS.originalPartition]: '0',
      [DLQ_HEADERS.failedAt]: '2022-02-24T03:00:00.000Z',
      [DLQ_HEADERS.consumerGroup]: 'g',
      type: 'test',
    });
    expect(dlqMessages[1]!.headers[DLQ_HEADERS.reason]).toContain('/payload/forceSize');
    expect(dlqMessages[2]!.headers[DLQ_HEADERS.reason]).toContain('troops.teleported');
    // The counter is labelled by reason code and counts every letter sent.
    const counted = (await metrics.deadLetters.get()).values.reduce((n, v) => n + v.value, 0);
    expect(counted).toBeGreaterThanOrEqual(dlqMessages.length);
    expect((await metrics.deadLetters.get()).values.map((v) => v.labels.reason_code)).toContain('EVENT.MALFORMED_JSON');
  });

  it('dead-letters a correction that would make its entry invalid (the target is in the same batch)', async () => {
    const target = readinessRaised();
    const bad = entryCorrected(target, { payload: { forceSize: -1 } });
    const out = await applier.apply(batch(0, 12, [target, bad]), noHooks);
    expect(out.kind === 'committed' && out.counts).toMatchObject({ applied: 1, dead_lettered: 1 });
    const [letter] = (await readTopic(kafka, config.kafka.dlqTopic)).slice(5);
    expect(letter!.headers).toMatchObject({ [DLQ_HEADERS.reasonCode]: 'EVENT.INVALID_CORRECTION', [DLQ_HEADERS.originalOffset]: '13' });
  });

  it('isolates a value Postgres refuses and dead-letters only that event', async () => {
    // Since issue 19 the catalogue refuses every value it knows PostgreSQL would (year 0000 was the
    // example), so the refusal is injected: a trigger raising a data exception (SQLSTATE class 22) for
    // one marked event, as a stricter server-side rule or a type PostgreSQL narrows would.
    await ds.query(`CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.envelope->>'summary' = 'PostgreSQL refuses this' THEN
          RAISE EXCEPTION 'value out of range for this deployment' USING ERRCODE = '22003';
        END IF;
        RETURN NEW;
      END $$`);
    await ds.query('CREATE TRIGGER refuse_marked BEFORE INSERT ON event_log FOR EACH ROW EXECUTE FUNCTION refuse_marked()');
    try {
      const ok = readinessRaised();
      const refused = readinessRaised({ summary: 'PostgreSQL refuses this' });
      const out = await applier.apply(batch(0, 14, [ok, refused]), noHooks);
      expect(out.kind === 'committed' && out.counts).toMatchObject({ applied: 1, dead_lettered: 1 });
      expect(await ds.query(`SELECT 1 FROM event_log WHERE event_id = $1`, [refused.eventId])).toEqual([]);
      expect(await ds.query(`SELECT 1 FROM timeline_entries WHERE entry_id = $1`, [ok.eventId])).toHaveLength(1);
      const [letter] = (await readTopic(kafka, config.kafka.dlqTopic)).slice(6);
      expect(letter!.headers[DLQ_HEADERS.reasonCode]).toBe('EVENT.UNSTORABLE');
      expect(letter!.headers[DLQ_HEADERS.reason]).toMatch(/out of range/);
    } finally {
      await ds.query('DROP TRIGGER refuse_marked ON event_log');
      await ds.query('DROP FUNCTION refuse_marked()');
    }
  });

  it('rolls back everything when the dead-letter send fails: no offset move, no event, retriable error', async () => {
    const broken = new DeadLetterPublisher(kafka, {
      topic: `${topic}.no-such-dlq`,
      consumerGroup: 'g',
      retry: { retries: 1, initialRetryTime: 50 },
    });
    await broken.connect();
    try {
      const ev = readinessRaised();
      const err = await build(broken)
        .apply(batch(0, 16, [ev, 'not json']), noHooks)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'KafkaPublishError', retriable: true });
      expect(await stored(0)).toBe('16');
      expect(await ds.query(`SELECT 1 FROM event_log WHERE event_id = $1`, [ev.eventId])).toEqual([]);
    } finally {
      await broken.disconnect();
      applier = build(dlq);
    }
  });
});
