import { DLQ_HEADERS } from '@timeline/kafka';
import { readTopic, runCli, testConfig, useTestStack } from './support/index.js';

/**
 * `cli skip` (issue 11): the operator's way past a parked partition. It moves the active projection's
 * stored offset under the projector's fence lock, records the range in `skipped_ranges` (a rebuild
 * from Kafka skips the same) and leaves a `PARTITION.SKIPPED` dead letter naming who, why and which
 * offsets — nothing is skipped silently, and nothing can be skipped backwards or without a reason.
 */
describe('cli skip', () => {
  const { env, config } = testConfig();
  const stack = useTestStack(config, env);

  it('moves the stored offset past the range, records it and dead-letters a description of it', async () => {
    const { ds, kafka } = stack;
    const [active] = (await ds.query('SELECT name FROM active_projection')) as { name: string }[];
    await ds.query('INSERT INTO projector_offsets (projection, topic, partition, next_offset) VALUES ($1, $2, 1, 5)', [
      active!.name,
      config.kafka.eventsTopic,
    ]);
    const r = await runCli(
      ['skip', '--partition', '1', '--to-offset', '9', '--reason', 'corrupt batch (bad CRC) after a disk fault', '--by', 'ops-test'],
      env,
    );
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('offsets 5..8');
    const [offset] = (await ds.query('SELECT next_offset::text AS n FROM projector_offsets WHERE projection = $1 AND partition = 1', [
      active!.name,
    ])) as { n: string }[];
    expect(offset!.n).toBe('9');
    expect(
      await ds.query('SELECT partition, from_offset::text AS f, to_offset::text AS t, reason, skipped_by AS by FROM skipped_ranges'),
    ).toEqual([{ partition: 1, f: '5', t: '9', reason: 'corrupt batch (bad CRC) after a disk fault', by: 'ops-test' }]);
    const [letter] = await readTopic(kafka, config.kafka.dlqTopic, 30_000);
    expect(letter!.headers[DLQ_HEADERS.reasonCode]).toBe('PARTITION.SKIPPED');
    expect(letter!.headers[DLQ_HEADERS.originalPartition]).toBe('1');
    expect(letter!.headers[DLQ_HEADERS.originalOffset]).toBe('5');
    expect(JSON.parse(letter!.value)).toMatchObject({ skipped: { partition: 1, fromOffset: '5', toOffset: '9' }, by: 'ops-test' });
  });

  it('refuses a skip that goes nowhere or backwards, and one without a reason', async () => {
    const { ds } = stack;
    const nowhere = await runCli(['skip', '--partition', '1', '--to-offset', '9', '--reason', 'again'], env);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('already at offset 9');
    const noReason = await runCli(['skip', '--partition', '1', '--to-offset', '20'], env);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason is required');
    expect((await ds.query('SELECT count(*)::int AS n FROM skipped_ranges')) as { n: number }[]).toEqual([{ n: 1 }]);
  });
});
