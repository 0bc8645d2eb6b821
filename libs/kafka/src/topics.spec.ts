import { resolveTopicSpec, type TopicSpec } from './topics.js';

const spec = (over: Partial<TopicSpec> = {}): TopicSpec => ({
  topic: 't',
  numPartitions: 6,
  replicationFactor: 'auto',
  minInsyncReplicas: 'auto',
  configEntries: [{ name: 'retention.ms', value: '-1' }],
  ...over,
});
const entry = (r: ReturnType<typeof resolveTopicSpec>, name: string) => r.configEntries.find((e) => e.name === name)?.value;

describe('resolveTopicSpec (replication by broker count)', () => {
  it.each([
    [1, 1, '1'],
    [2, 2, '1'],
    [3, 3, '2'],
    [5, 3, '2'],
  ])('auto on %i broker(s): replication factor %i, min.insync.replicas %s, unclean election off', (brokers, rf, minIsr) => {
    const r = resolveTopicSpec(spec(), brokers);
    expect(r.replicationFactor).toBe(rf);
    expect(entry(r, 'min.insync.replicas')).toBe(minIsr);
    expect(entry(r, 'unclean.leader.election.enable')).toBe('false');
    expect(entry(r, 'retention.ms')).toBe('-1');
    expect(r.numPartitions).toBe(6);
  });

  it('keeps explicit numbers and explicit config entries', () => {
    const r = resolveTopicSpec(
      spec({ replicationFactor: 2, minInsyncReplicas: 2, configEntries: [{ name: 'unclean.leader.election.enable', value: 'true' }] }),
      3,
    );
    expect(r.replicationFactor).toBe(2);
    expect(entry(r, 'min.insync.replicas')).toBe('2');
    expect(r.configEntries.filter((e) => e.name === 'unclean.leader.election.enable')).toEqual([
      { name: 'unclean.leader.election.enable', value: 'true' },
    ]);
  });

  it('refuses min.insync.replicas above the replication factor (acks=all could never succeed)', () => {
    expect(() => resolveTopicSpec(spec({ replicationFactor: 1, minInsyncReplicas: 2 }), 3)).toThrow(/exceeds the replication factor/);
  });
});
