import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  ProjectionRebuild,
  ProjectionVersions,
  RebuildInProgressError,
  RebuildLock,
  RebuildRequestError,
  TimelineProjectionWriter,
  compareChecksums,
  projectionChecksum,
  type PositionedEvent,
  type RebuildEnvironment,
} from '@timeline/store';
import {
  entryCorrected,
  entryRetracted,
  eventSeries,
  positioned,
  projectorTestbed,
  readinessRaised,
  testConfig,
  type ProjectorTestbed,
  type RawEvent,
} from '../../../test/support/index.js';
import { KafkaRebuildPhase } from './kafka-rebuild-phase.js';

/**
 * Rebuild on a real Postgres (and Kafka for the Kafka phase, the projection runner with a stop point):
 * a "live" version written the way the projector writes it (writer + event_log + projector_offsets in
 * one transaction), then rebuilt.
 */
describe('ProjectionRebuild (real Postgres and Kafka)', () => {
  const { config } = testConfig();
  const topic = config.kafka.eventsTopic;
  const writer = new TimelineProjectionWriter();
  let bed: ProjectorTestbed;
  let ds: DataSource;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    bed = await projectorTestbed(config, 2);
    ({ ds, kafka, admin } = bed);
  });
  afterAll(() => bed.close());

  const env = (overrides: Partial<RebuildEnvironment> = {}): RebuildEnvironment => ({
    ds,
    schema: config.database.schema,
    topic,
    kafka: new KafkaRebuildPhase({ kafka, ds, topic, projectorGroupId: config.projector.groupId }),
    chunkSize: 7,
    ...overrides,
  });
  const active = async () => (await ds.query('SELECT name FROM active_projection'))[0].name as string;
  const offsetsOf = async (projection: string) =>
    (await ds.query(
      `SELECT topic, partition, next_offset::text AS next FROM projector_offsets WHERE projection = $1 ORDER BY topic, partition`,
      [projection],
    )) as { topic: string; partition: number; next: string }[];

  /** What the live projector does per batch: apply + archive + offsets, in one transaction, to the active version. */
  const applyLive = async (events: PositionedEvent[]) => {
    await ds.transaction(async (m) => {
      const projection = (await m.query('SELECT name FROM active_projection FOR SHARE'))[0].name as string;
      await writer.apply(m, projection, events);
      const last = events.at(-1)!.position;
      await m.query(
        `INSERT INTO projector_offsets (projection, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
        [projection, last.topic, last.partition, (BigInt(last.offset) + 1n).toString()],
      );
    });
  };

  /** Publishes raw values to one partition and returns them positioned (poison values are skipped in the result). */
  const publish = async (partition: number, values: (RawEvent | string)[]): Promise<PositionedEvent[]> => {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const [meta] = await producer.send({
        topic,
        messages: values.map((v) => ({ partition, value: typeof v === 'string' ? v : JSON.stringify(v) })),
      });
      const base = Number(meta!.baseOffset);
      return values.flatMap((v, i) => (typeof v === 'string' ? [] : positioned([v], { topic, partition, offset: base + i })));
    } finally {
      await producer.disconnect();
    }
  };

  /** A story with corrections, a retraction and a correction that arrives (on the other partition) before its target. */
  const story = () => {
    const series = eventSeries(30, Date.parse('2022-01-20T00:00:00Z'));
    const late = readinessRaised({ occurredAt: '2022-01-25T06:00:00Z', recordedAt: '2022-01-25T07:00:00Z' });
    const early = entryCorrected(late, { summary: 'Corrected before it arrived' }, { recordedAt: '2022-01-25T08:00:00Z' });
    return {
      p0: [...series.slice(0, 15), entryCorrected(series[2]!, { summary: 'Fixed summary' }), entryRetracted(series[4]!), early, 'not json'],
      p1: [...series.slice(15), entryCorrected(series[20]!, { confirmation: 'reported' }, { recordedAt: '2022-01-28T10:00:00Z' }), late],
    };
  };

  it('rebuilds from Kafka into a new version with the same checksum, switches atomically and drops the old version', async () => {
    const s = story();
    const p0 = await publish(0, s.p0);
    const p1 = await publish(1, s.p1);
    // The live projector processed the partitions in its own interleaving: p0's early correction first.
    await applyLive(p0);
    await applyLive(p1);
    const before = await projectionChecksum(ds, 'live');
    expect(before.entries).toBe(31);
    expect(before.versions).toBe(35);

    const rebuild = await ProjectionRebuild.begin(env());
    expect(rebuild.plan).toMatchObject({ name: 'v2', source: 'kafka', resumed: false });
    expect(await RebuildLock.isHeld(ds)).toBe(true);
    await expect(ProjectionRebuild.begin(env())).rejects.toBeInstanceOf(RebuildInProgressError);
    const phases: string[] = [];
    const result = await rebuild.run({ dropDelayMs: 0, onProgress: (p) => phases.push(p.phase) });
    expect(await RebuildLock.isHeld(ds)).toBe(false);

    expect(result).toMatchObject({ name: 'v2', previous: 'live', source: 'kafka', oldVersion: 'dropped' });
    // 36 messages read from Kafka (one is poison); nothing left to catch up.
    expect(result.counts).toMatchObject({ read: 36, undecodable: 1 });
    expect([...new Set(phases)]).toEqual(['building', 'catching-up', 'switching', 'retiring', 'done']);
    expect(await active()).toBe('v2');
    expect(compareChecksums(before, await projectionChecksum(ds, 'v2'))).toEqual([]);
    expect(await offsetsOf('v2')).toEqual(await offsetsOfSnapshot(p0, p1));
    const versions = await new ProjectionVersions(ds, config.database.schema).list();
    expect(versions.map((v) => [v.name, v.status, v.hasPartitions])).toEqual([
      ['live', 'retired', false],
      ['v2', 'active', true],
    ]);
    // The rebuild's consumer group is gone again.
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    expect(groups.filter((g) => g.startsWith(`${config.projector.groupId}.rebuild.`))).toEqual([]);

    // The live projector's next batch lands in v2 and continues from the copied offsets.
    const more = await publish(0, [readinessRaised({ occurredAt: '2022-01-29T00:00:00Z', recordedAt: '2022-01-29T01:00:00Z' })]);
    await applyLive(more);
    expect((await projectionChecksum(ds, 'v2')).entries).toBe(32);
  });

  it('rebuilds from event_log when Kafka holds fewer messages than the archive, resumes after an abort with the same checksum', async () => {
    const from = await active();
    const before = await projectionChecksum(ds, from);
    // A recreated (empty) topic: Kafka lost every event the archive holds.
    await admin.deleteTopics({ topics: [topic] });
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });

    const first = await ProjectionRebuild.begin(env({ chunkSize: 5 }));
    expect(first.plan).toMatchObject({ name: 'v3', source: 'event_log', resumed: false });
    expect(first.plan.reason).toMatch(/holds 0 messages but the archive holds \d+ events/);
    const abort = new AbortController();
    await expect(
      first.run({
        signal: abort.signal,
        onProgress: (p) => {
          if (p.processed >= 10) abort.abort(new Error('simulated crash'));
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(await active()).toBe(from);
    const partial = await projectionChecksum(ds, 'v3');
    expect(partial.versions).toBeGreaterThan(0);
    expect(partial.versions).toBeLessThan(before.versions);

    // Explicit --from kafka is refused now (it would silently lose events), and so is a mismatched source on resume.
    await expect(ProjectionRebuild.begin(env({}), { name: 'v9', from: 'kafka' })).rejects.toThrow(/cannot rebuild from Kafka/);
    await expect(ProjectionRebuild.begin(env({}), { from: 'kafka' })).rejects.toBeInstanceOf(RebuildRequestError);

    const second = await ProjectionRebuild.begin(env({ chunkSize: 5 }), { resume: true });
    expect(second.plan).toMatchObject({ name: 'v3', source: 'event_log', resumed: true });
    const seen: number[] = [];
    const result = await second.run({ dropOld: false, onProgress: (p) => seen.push(p.processed) });
    expect(seen[0]).toBeGreaterThanOrEqual(10);
    expect(result).toMatchObject({ name: 'v3', previous: from, oldVersion: 'kept' });
    expect(await active()).toBe('v3');
    expect(compareChecksums(before, await projectionChecksum(ds, 'v3'))).toEqual([]);
    // --keep-old: the previous version is retired but intact.
    expect(compareChecksums(before, await projectionChecksum(ds, from))).toEqual([]);
    await expect(ProjectionRebuild.begin(env(), { resume: true })).rejects.toThrow(/no interrupted build/);
    await expect(ProjectionRebuild.begin(env(), { name: from })).rejects.toThrow(/already exists/);
    await expect(ProjectionRebuild.begin(env(), { name: 'Bad-Name' })).rejects.toThrow(/lower-case/);
  });

  it('catches up under the pointer lock with what the live projector applies while the rebuild runs', async () => {
    const from = await active();
    const base = await projectionChecksum(ds, from);
    // Positions beyond anything archived on partition 1 (the build reads event_log, not Kafka).
    await applyLive(positioned(eventSeries(4, Date.parse('2022-02-01T00:00:00Z')), { topic, partition: 1, offset: 100 }));
    const rebuild = await ProjectionRebuild.begin(env(), { from: 'event_log', name: 'v4' });
    let concurrent: Promise<void> | undefined;
    const late = positioned(eventSeries(3, Date.parse('2022-02-10T00:00:00Z')), { topic, partition: 1, offset: 104 });
    const result = await rebuild.run({
      dropOld: false,
      onProgress: (p) => {
        // A live batch racing the switch: it commits either before the pointer moves (then the switch
        // transaction copies it from event_log) or after (then it is written to v4 directly).
        if (p.phase === 'catching-up' && !concurrent) concurrent = applyLive(late);
      },
    });
    await concurrent;
    expect(result).toMatchObject({ name: 'v4', previous: from });
    expect(await active()).toBe('v4');
    const v4 = await projectionChecksum(ds, 'v4');
    expect(v4.entries).toBe(base.entries + 7);
    expect(v4.versions).toBe(base.versions + 7);
    expect((await offsetsOf('v4')).find((o) => o.partition === 1)?.next).toBe('107');
  });

  it('a rate-limited rebuild commits a quarter second of work at a time, so progress moves while it runs', async () => {
    const from = await active();
    const before = await projectionChecksum(ds, from);
    const rebuild = await ProjectionRebuild.begin(env({ chunkSize: 500 }), { from: 'event_log', name: 'v5' });
    const building: number[] = [];
    const result = await rebuild.run({
      dropOld: false,
      maxEventsPerSecond: 40,
      onProgress: (p) => {
        if (p.phase === 'building') building.push(p.processed);
      },
    });
    expect(result).toMatchObject({ name: 'v5', previous: from });
    expect(compareChecksums(before, await projectionChecksum(ds, 'v5'))).toEqual([]);
    // 40/s → chunks of 10: every step is at most 10, and there are many (one 500-message chunk was one leap).
    const steps = building
      .slice(1)
      .map((n, i) => n - building[i]!)
      .filter((d) => d > 0);
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...steps)).toBeLessThanOrEqual(10);
  });
});

/** Offsets after applying both partitions once (next = last + 1 per partition). */
async function offsetsOfSnapshot(p0: PositionedEvent[], p1: PositionedEvent[]) {
  return [p0, p1].map((list) => {
    const last = list.at(-1)!.position;
    return { topic: last.topic, partition: last.partition, next: (BigInt(last.offset) + 1n).toString() };
  });
}
