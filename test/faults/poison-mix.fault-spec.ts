import { randomBytes } from 'node:crypto';
import { DLQ_HEADERS } from '@timeline/kafka';
import {
  eventMessage,
  eventSeries,
  processAlive,
  readTopic,
  readinessRaised,
  statementIssued,
  testProducer,
  waitFor,
  countTopicRecords,
  type TestMessage,
} from '../support/index.js';
import { recordFaultResult, useFaultHarness } from './fault-harness.js';

/**
 * Fault 6: poison messages from a foreign producer, each wedged between valid events on the same
 * partition (so they share batches): every poison message lands in the DLQ with a reason, every
 * valid neighbour is applied, and the projector keeps running.
 */
describe('fault: poison mix', () => {
  const scenario = useFaultHarness({ partitions: 3 });

  it('dead-letters every poison message with its reason and applies the valid neighbours', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const garbage = randomBytes(512);
    garbage[0] = 0xff; // never valid UTF-8
    const poison: { name: string; message: TestMessage; code: string }[] = [
      { name: 'invalid JSON', message: { key: 'poison', value: '{"eventId": "1", "type": ' }, code: 'EVENT.MALFORMED_JSON' },
      { name: 'JSON that is not an object', message: { key: 'poison', value: '[1,2,3]' }, code: 'EVENT.INVALID_ENVELOPE' },
      {
        name: 'wrong envelope types',
        message: { key: 'poison', value: JSON.stringify({ ...readinessRaised(), summary: 42, occurredAt: 1643000000 }) },
        code: 'EVENT.INVALID_ENVELOPE',
      },
      {
        name: 'wrong payload types',
        message: { key: 'poison', value: JSON.stringify(withPayload(readinessRaised(), { forceSize: 'about 8,500' })) },
        code: 'EVENT.INVALID_PAYLOAD',
      },
      {
        name: 'unknown event type',
        message: { key: 'poison', value: JSON.stringify({ ...statementIssued(), type: 'invasion.planned' }) },
        code: 'EVENT.UNKNOWN_TYPE',
      },
      {
        name: 'future schemaVersion',
        message: { key: 'poison', value: JSON.stringify({ ...readinessRaised(), schemaVersion: 99 }) },
        code: 'EVENT.UNSUPPORTED_VERSION',
      },
      {
        name: '1 MB payload',
        message: { key: 'poison', value: JSON.stringify(withPayload(statementIssued(), { quote: 'x'.repeat(1024 * 1024) })) },
        code: 'EVENT.TOO_LARGE',
      },
      { name: 'binary garbage', message: { key: 'poison', value: garbage }, code: 'EVENT.MALFORMED_JSON' },
      { name: 'null key and null value (tombstone)', message: { key: null, value: null }, code: 'EVENT.MALFORMED_JSON' },
      // Issue 11: 200 KB of valid JSON nested 100,000 levels deep crashed the projector on every restart.
      {
        name: 'JSON nested 100,000 levels deep',
        message: { key: 'poison', value: '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) },
        code: 'EVENT.MALFORMED_JSON',
      },
      // Issue 19: an impossible date that JavaScript would have rolled over to March.
      {
        name: 'an impossible calendar date',
        message: { key: 'poison', value: JSON.stringify({ ...readinessRaised(), occurredAt: '2022-02-30T00:00:00Z' }) },
        code: 'EVENT.INVALID_ENVELOPE',
      },
    ];
    // A valid event with a null key is not poison (docs/operations.md): only per-story ordering in Kafka is lost.
    const nullKeyed = statementIssued({ summary: 'A valid event a foreign producer sent without a key' });
    const valid = eventSeries(poison.length + 1).map((e) => ({ ...e, storyId: 'poison-neighbours' }));
    const messages: TestMessage[] = [];
    poison.forEach((p, i) => messages.push({ ...eventMessage(valid[i]!), partition: 0 }, { ...p.message, partition: 0 }));
    messages.push({ ...eventMessage(valid.at(-1)!), partition: 0 }, { key: null, value: JSON.stringify(nullKeyed), partition: 1 });

    const producer = await testProducer(h.kafka);
    try {
      await producer.send(h.topic, messages);
    } finally {
      await producer.close();
    }
    const projector = await h.start('projector');
    await waitFor(
      'every poison message dead-lettered',
      async () => ((await countTopicRecords(h.kafka, h.dlqTopic)) >= poison.length ? true : undefined),
      90_000,
      250,
    );

    const result = await h.check({
      accepted: [...valid.map((e) => e.eventId), nullKeyed.eventId],
      stoppedPids: [],
    });
    expect(result.archived).toBe(valid.length + 1);

    const letters = await readTopic(h.kafka, h.dlqTopic);
    expect(letters).toHaveLength(poison.length);
    const byOffset = new Map(letters.map((l) => [l.headers[DLQ_HEADERS.originalOffset], l]));
    poison.forEach((p, i) => {
      // Poison i sits at offset 2i + 1 of partition 0, between valid events 2i and 2i + 2.
      const letter = byOffset.get(String(2 * i + 1));
      expect({ poison: p.name, code: letter?.headers[DLQ_HEADERS.reasonCode] }).toEqual({ poison: p.name, code: p.code });
      expect(letter!.headers[DLQ_HEADERS.originalTopic]).toBe(h.topic);
      expect(letter!.headers[DLQ_HEADERS.originalPartition]).toBe('0');
      expect(letter!.headers[DLQ_HEADERS.reason]!.length).toBeGreaterThan(10);
      // The original bytes are kept untouched for a human to fix and replay.
      const original = p.message.value;
      expect(letter!.value).toBe(original === null ? '' : Buffer.isBuffer(original) ? original.toString() : original);
    });
    expect(processAlive(projector.child.pid!)).toBe(true);
    expect(projector.output()).not.toContain('"level":60');
    recordFaultResult('poison-mix', t0, {
      poison: poison.map((p) => `${p.name} → ${p.code}`),
      validApplied: valid.length + 1,
      ...result,
    });
  }, 300_000);
});

function withPayload(event: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  return { ...event, payload: { ...(event.payload as Record<string, unknown>), ...patch } };
}
