import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { ProjectionRebuild, TimelineProjectionWriter, compareChecksums, projectionChecksum } from '@timeline/store';
import { eventSeries, positioned, projectorTestbed, testConfig, type ProjectorTestbed } from '../../../test/support/index.js';
import { KafkaRebuildPhase } from './kafka-rebuild-phase.js';

/**
 * Regression (found by bench:rebuild): a partition holding more than one fetch (maxBytesPerPartition)
 * must be read to its end. kafkajs fetches from the last resolved offset, so the runner has to
 * resolve what it applied; before, the rebuild re-read the first fetch forever and stalled.
 */
describe('KafkaRebuildPhase on partitions longer than one fetch (real Postgres and Kafka)', () => {
  const { config } = testConfig();
  const topic = config.kafka.eventsTopic;
  let bed: ProjectorTestbed;
  let ds: DataSource;
  let kafka: Kafka;

  beforeAll(async () => {
    bed = await projectorTestbed(config, 1);
    ({ ds, kafka } = bed);
  });
  afterAll(() => bed.close());

  it('rebuilds 300 events in 30 record batches read 4 KiB at a time into a version with the live checksum', async () => {
    const raws = eventSeries(300, Date.parse('2022-01-01T00:00:00Z'));
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // Thirty sends = thirty record batches: a fetch of 4 KiB returns about one of them.
    for (let i = 0; i < raws.length; i += 10) {
      await producer.send({ topic, messages: raws.slice(i, i + 10).map((r) => ({ partition: 0, value: JSON.stringify(r) })) });
    }
    await producer.disconnect();
    const events = positioned(raws, { topic, partition: 0, offset: 0 });
    await ds.transaction(async (m) => {
      await new TimelineProjectionWriter().apply(m, 'live', events);
      await m.query(`INSERT INTO projector_offsets (projection, topic, partition, next_offset) VALUES ('live', $1, 0, $2)`, [topic, '300']);
    });
    const before = await projectionChecksum(ds, 'live');

    const rebuild = await ProjectionRebuild.begin({
      ds,
      schema: config.database.schema,
      topic,
      kafka: new KafkaRebuildPhase({ kafka, ds, topic, projectorGroupId: config.projector.groupId, maxBytesPerPartition: 4096 }),
      chunkSize: 50,
    });
    const result = await rebuild.run({ dropDelayMs: 0 });

    expect(result.counts).toMatchObject({ read: 300, applied: 300 });
    expect(compareChecksums(before, await projectionChecksum(ds, result.name))).toEqual([]);
  }, 150_000);
});
