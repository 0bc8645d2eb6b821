import { randomUUID } from 'node:crypto';
import { DLQ_HEADERS } from '@timeline/kafka';
import { countTopicRecords, ingestInput, readTopic, statementIssued, testProducer, waitFor, type IngestInput } from '../support/index.js';
import { recordFaultResult, useFaultHarness } from './fault-harness.js';

/**
 * Fault 7: arrival order ≠ timeline order, and clocks that lie.
 * - 2022 events arrive first, then 2021 ones (and a story's events interleaved across requests):
 *   the timeline is still in occurred order.
 * - recordedAt in the future. The rule (docs/events.md "The recordedAt rule"): ingest refuses any
 *   client-sent recordedAt (it stamps its own clock); on the topic, a recordedAt more than 5 minutes
 *   after the Kafka record's timestamp is dead-lettered as EVENT.RECORDED_IN_FUTURE, and Kafka itself
 *   refuses record timestamps more than 1 h ahead of the broker's clock.
 */
describe('fault: out-of-order and skewed timestamps', () => {
  const scenario = useFaultHarness({ partitions: 3 });

  it('orders late-arriving events by occurredAt and refuses knowledge recorded in the future', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const ingest = await h.start('ingest');
    const projector = await h.start('projector');
    const api = await h.start('timeline-api');
    const post = (events: unknown[]) =>
      fetch(`${ingest.url}/v1/events/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': h.editorKey },
        body: JSON.stringify({ events }),
      });
    const at = (seq: number, occurredAt: string): IngestInput => ingestInput(seq, { storyPrefix: 'skew', storyCount: 3, occurredAt });

    // 2022 first (newest first within the batch), then 2021 — the reverse of the timeline.
    const newer = Array.from({ length: 60 }, (_, i) => at(i, new Date(Date.parse('2022-02-24T00:00:00Z') - i * 3_600_000).toISOString()));
    const older = Array.from({ length: 60 }, (_, i) =>
      at(100 + i, new Date(Date.parse('2021-12-31T23:00:00Z') - i * 3_600_000).toISOString()),
    );
    for (const batch of [newer, older]) expect((await post(batch)).status).toBe(202);

    // A client may not set recordedAt at all — in the future or otherwise.
    const future = { ...at(500, '2022-01-24T00:00:00Z'), recordedAt: new Date(Date.now() + 86_400_000).toISOString() };
    const refused = await post([future]);
    expect(refused.status).toBe(422);
    const problem = (await refused.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/events/0/recordedAt' })]));

    // A foreign producer on the topic: one event a day ahead of its record timestamp (refused), one within
    // the 5-minute skew allowance (accepted), one with an old recordedAt arriving now (accepted, placed by occurredAt).
    const now = Date.now();
    const aheadByADay = statementIssued({ eventId: randomUUID(), storyId: 'skew-0', recordedAt: new Date(now + 86_400_000).toISOString() });
    const withinSkew = statementIssued({ eventId: randomUUID(), storyId: 'skew-0', recordedAt: new Date(now + 60_000).toISOString() });
    const oldKnowledge = statementIssued({
      eventId: randomUUID(),
      storyId: 'skew-0',
      occurredAt: '2021-11-10T00:00:00Z',
      recordedAt: '2021-11-10T12:00:00Z',
    });
    const producer = await testProducer(h.kafka);
    try {
      await producer.send(
        h.topic,
        [aheadByADay, withinSkew, oldKnowledge].map((e) => ({ key: 'skew-0', value: JSON.stringify(e), partition: 0 })),
      );
    } finally {
      await producer.close();
    }
    // The broker bounds the record timestamp itself (log.message.timestamp.after.max.ms, 1 h by default),
    // so a producer cannot push both clocks into the future to get past the rule.
    const raw = h.kafka.producer();
    await raw.connect();
    try {
      await expect(
        raw.send({
          topic: h.topic,
          messages: [{ key: 'skew-0', value: JSON.stringify(aheadByADay), timestamp: String(now + 2 * 3_600_000) }],
        }),
      ).rejects.toMatchObject({ type: 'INVALID_TIMESTAMP' });
    } finally {
      await raw.disconnect();
    }

    await waitFor(
      'the future event dead-lettered',
      async () => ((await countTopicRecords(h.kafka, h.dlqTopic)) >= 1 ? true : undefined),
      60_000,
      250,
    );
    const result = await h.check({
      accepted: [...newer, ...older].map((e) => e.eventId).concat(withinSkew.eventId, oldKnowledge.eventId),
      apiUrl: api.url,
      stoppedPids: [],
    });
    expect(result.storiesChecked).toBe(3);

    // The refused one is in the DLQ with the rule's code, and nowhere in the read model.
    const letters = await readTopic(h.kafka, h.dlqTopic);
    expect(letters.map((l) => l.headers[DLQ_HEADERS.reasonCode])).toEqual(['EVENT.RECORDED_IN_FUTURE']);
    expect(letters[0]!.headers[DLQ_HEADERS.reason]).toMatch(/after the Kafka record's timestamp/);
    expect(await h.count('SELECT count(*) AS n FROM event_log WHERE event_id = $1', [aheadByADay.eventId])).toBe(0);

    // The first page of each story starts in 2021 although 2021 arrived last.
    for (let s = 0; s < 3; s++) {
      const page = (await (await fetch(`${api.url}/v1/timeline?story=skew-${s}&limit=1`)).json()) as { data: { occurredAt: string }[] };
      expect(page.data[0]!.occurredAt.startsWith('2021-')).toBe(true);
    }
    expect(projector.output()).not.toContain('"level":60');
    recordFaultResult('skewed-timestamps', t0, { ...result });
  }, 300_000);
});
