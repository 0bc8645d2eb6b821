import type { KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { eventCatalogue } from '@timeline/events';
import { DeadLetterPublisher } from '@timeline/kafka';
import { createLogger } from '@timeline/observability';
import { OffsetStore, TimelineProjectionWriter, createDataSource } from '@timeline/store';
import {
  projectorTestbed,
  readinessRaised,
  sleep,
  statementIssued,
  testConfig,
  type ProjectorTestbed,
} from '../../../test/support/index.js';
import { classifyFailure } from './failure-classifier.js';
import { PartitionBatchApplier, type PartitionBatch } from './partition-batch-applier.js';
import { PartitionWatermarks } from './partition-watermarks.js';

/**
 * Issue 11: a projector frozen (SIGSTOP) inside a batch transaction must not block its successor. The
 * projector's sessions carry idle_in_transaction_session_timeout and lock_timeout (PROJECTOR_* settings);
 * here they are 1 s and 0.4 s, and "frozen" is a heartbeat hook that does not return for 2 s — the
 * batch's JavaScript stops issuing statements while its transaction holds the partition's fence.
 */
describe('a frozen batch transaction (real Postgres, bounded sessions)', () => {
  const { config } = testConfig({ PROJECTOR_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: '1', PROJECTOR_LOCK_TIMEOUT_SECONDS: '1' });
  const topic = config.kafka.eventsTopic;
  let bed: ProjectorTestbed;
  let bounded: DataSource;
  let dlq: DeadLetterPublisher;
  let applier: PartitionBatchApplier;
  const offsets = new OffsetStore();

  beforeAll(async () => {
    bed = await projectorTestbed(config, 1);
    bounded = createDataSource(config.database, {
      applicationName: 'jest frozen projector',
      poolSize: 4,
      sessionTimeouts: { idleInTransactionMs: 1000, lockMs: 400 },
    });
    await bounded.initialize();
    dlq = new DeadLetterPublisher(bed.kafka, { topic: config.kafka.dlqTopic, consumerGroup: 'g', now: () => new Date() });
    await dlq.connect();
    applier = new PartitionBatchApplier({
      ds: bounded,
      catalogue: eventCatalogue,
      writer: new TimelineProjectionWriter(),
      offsets,
      watermarks: new PartitionWatermarks(bed.admin),
      logger: createLogger('test', 'silent'),
      poison: dlq,
    });
  });
  afterAll(async () => {
    await dlq.disconnect();
    await bounded.destroy();
    await bed.close();
  });

  const batch = (values: object[]): PartitionBatch => ({
    topic,
    partition: 0,
    fetchedOffset: '0',
    lastOffset: String(values.length - 1),
    messages: values.map(
      (v, i) =>
        ({
          key: null,
          value: Buffer.from(JSON.stringify(v)),
          offset: String(i),
          timestamp: String(Date.now()),
          attributes: 0,
          headers: {},
        }) as KafkaMessage,
    ),
  });
  const stored = async () =>
    (await bed.ds.query(`SELECT next_offset::text AS n FROM projector_offsets WHERE topic = $1 AND partition = 0`, [topic]))[0]?.n;

  it('sets the bounds on every session of the pool', async () => {
    const rows: { lock: string; idle: string }[] = await bounded.query(
      `SELECT current_setting('lock_timeout') AS lock, current_setting('idle_in_transaction_session_timeout') AS idle`,
    );
    expect(rows[0]).toEqual({ lock: '400ms', idle: '1s' });
  });

  it('the successor gives up a lock wait (retriable), then applies once the frozen session is ended; the frozen one, resumed, commits nothing', async () => {
    const events = [readinessRaised(), statementIssued()];
    // The frozen instance: inside its transaction (fence taken, rows written) it stops for 2 s.
    const frozen = applier.apply(batch(events), { heartbeat: () => sleep(2000) }).then(
      (outcome) => ({ outcome, err: undefined as unknown }),
      (err: unknown) => ({ outcome: undefined, err }),
    );
    await sleep(200);

    // The successor, same partition, same messages: blocked by the fence, lock_timeout ends the wait.
    const t0 = Date.now();
    const blocked = await applier.apply(batch(events), { heartbeat: async () => undefined }).catch((err: unknown) => err);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect((blocked as { code?: string }).code).toBe('55P03');
    expect(classifyFailure(blocked)).toBe('retriable');

    // After the idle timeout the server ends the frozen session; its locks go with it.
    await sleep(1200);
    const applied = await applier.apply(batch(events), { heartbeat: async () => undefined });
    expect(applied).toMatchObject({ kind: 'committed', nextOffset: '2', counts: { applied: 2 } });

    // The frozen instance resumes: its transaction is gone, the failure is retriable, and nothing it held is committed.
    const resumed = await frozen;
    expect(resumed.outcome).toBeUndefined();
    expect(classifyFailure(resumed.err)).toBe('retriable');
    expect(await stored()).toBe('2');

    // Its retry meets the fence: the successor's offset is ahead of the whole batch, nothing is written.
    expect(await applier.apply(batch(events), { heartbeat: async () => undefined })).toEqual({
      kind: 'seek',
      projection: 'live',
      offset: '2',
      reason: 'behind',
    });
    expect(await bed.count(`SELECT count(*) AS n FROM event_log`)).toBe(2);
    expect(await bed.count(`SELECT count(*) AS n FROM entry_versions`)).toBe(2);
  });
});
