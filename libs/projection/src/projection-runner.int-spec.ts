import type { DataSource } from 'typeorm';
import { eventCatalogue } from '@timeline/events';
import { createLogger } from '@timeline/observability';
import { OffsetStore, ProjectionVersions, RebuildRequestError, TimelineProjectionWriter, emptyCounts } from '@timeline/store';
import { eventMessage, eventSeries, projectorTestbed, testConfig, type ProjectorTestbed } from '../../../test/support/index.js';
import { KafkaRebuildPhase } from './kafka-rebuild-phase.js';
import { PartitionBatchApplier } from './partition-batch-applier.js';
import { PartitionWatermarks } from './partition-watermarks.js';
import { ProjectionRunner, type CommittedBatch } from './projection-runner.js';

/** The runner's stop point on a real broker and database: a bounded run reads exactly up to it, and no further. */
describe('ProjectionRunner with a stop point (real Postgres and Kafka)', () => {
  const { config } = testConfig();
  const topic = config.kafka.eventsTopic;
  let bed: ProjectorTestbed;
  let ds: DataSource;
  const versionOffset = async (projection: string) =>
    (
      await ds.query(`SELECT next_offset::text AS n FROM projector_offsets WHERE projection = $1 AND topic = $2 AND partition = 0`, [
        projection,
        topic,
      ])
    )[0]?.n as string | undefined;

  beforeAll(async () => {
    bed = await projectorTestbed(config, 1);
    ({ ds } = bed);
  });
  afterAll(() => bed.close());

  it('stops at the given offsets: messages published after them are left unread, and a second run has nothing to do', async () => {
    await new ProjectionVersions(ds, config.database.schema).create('bounded', 'kafka');
    const events = eventSeries(25, Date.parse('2022-01-01T00:00:00Z'));
    await bed.producer.send(
      topic,
      events.slice(0, 20).map((e) => eventMessage(e, 0)),
    );
    const stopAt = new Map([[0, '20']]);
    await bed.producer.send(
      topic,
      events.slice(20).map((e) => eventMessage(e, 0)),
    );

    const watermarks = new PartitionWatermarks(bed.admin);
    const applier = new PartitionBatchApplier({
      ds,
      catalogue: eventCatalogue,
      writer: new TimelineProjectionWriter(),
      offsets: new OffsetStore(),
      watermarks,
      logger: createLogger('test', 'silent'),
      target: { kind: 'version', name: 'bounded' },
      poison: 'skip',
    });
    const committed: CommittedBatch[] = [];
    const run = () =>
      new ProjectionRunner(bed.kafka, applier, watermarks, createLogger('test', 'silent'), {
        topic,
        consumer: { groupId: `${config.projector.groupId}.bounded.${Math.random().toString(36).slice(2)}` },
        stopAt,
        maxMessagesPerTransaction: 6,
        onFailure: 'stop',
        afterCommit: (b) => void committed.push(b),
      }).runToEnd();

    await run();
    expect(await versionOffset('bounded')).toBe('20');
    // Transactions of at most 6 messages, each committed with its offset.
    expect(committed.map((b) => b.nextOffset)).toEqual(['6', '12', '18', '20']);
    expect(committed.reduce((n, b) => n + b.read, 0)).toBe(20);
    const entries = await bed.count(`SELECT count(*) AS n FROM timeline_entries WHERE projection = 'bounded'`);
    expect(entries).toBe(20);

    committed.length = 0;
    await run();
    expect(committed).toEqual([]);
    expect(await versionOffset('bounded')).toBe('20');
  });

  it('fails a rebuild whose stored offset Kafka no longer holds (retention) instead of leaving a gap', async () => {
    await new ProjectionVersions(ds, config.database.schema).create('trimmed', 'kafka');
    // The version had applied up to offset 10; then retention removed offsets below 22.
    await ds.query(`INSERT INTO projector_offsets (projection, topic, partition, next_offset) VALUES ('trimmed', $1, 0, '10')`, [topic]);
    await bed.admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '22' }] });
    const phase = new KafkaRebuildPhase({ kafka: bed.kafka, ds, topic, projectorGroupId: config.projector.groupId, idleTimeoutMs: 60_000 });
    const counts = emptyCounts();
    const err = await phase
      .build({ projection: 'trimmed', end: new Map([[0, '25']]), chunkSize: 10, counts, onChunk: async () => undefined })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RebuildRequestError);
    expect((err as Error).message).toMatch(/Kafka no longer holds offsets 10\.\.21 of .+\/0; rebuild from the archive instead/);
    expect(await versionOffset('trimmed')).toBe('10');
    expect(counts.read).toBe(0);
  }, 120_000);
});
