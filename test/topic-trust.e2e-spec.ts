import { randomBytes, randomUUID } from 'node:crypto';
import { hashApiKey } from '@timeline/http';
import { timelineTopics } from '@timeline/kafka';
import { readTopic, readinessRaised, testConfig, useTestStack, waitFor } from './support/index.js';

const EDITOR = randomBytes(24).toString('base64url');

/**
 * The topic trust model (docs/security.md, issue 19 item 6): anyone who can write to the events topic
 * could backdate `recordedAt` and so rewrite what the timeline "knew" at any past `asOf`. On a topic
 * with `message.timestamp.type=LogAppendTime` (the broker stamps every record) and the projector's
 * guard on, a forged record is a dead letter, while ingest's events, trusted seeds and records that
 * leave `recordedAt` to the broker are stored.
 */
describe('topic trust: backdated recordedAt from the topic', () => {
  const { env, config } = testConfig({
    API_KEYS: `trust:editor:${hashApiKey(EDITOR)}`,
    PROJECTOR_RECORDED_AT_MAX_BACKDATE_SECONDS: '300',
    PROJECTOR_TRUSTED_PRODUCERS: 'ingest,cli-seed',
  });
  const stack = useTestStack(config, env, ['ingest', 'projector'], {
    events: {
      configEntries: [
        ...(timelineTopics(config.kafka).events.configEntries ?? []),
        { name: 'message.timestamp.type', value: 'LogAppendTime' },
      ],
    },
  });

  it('dead-letters a forged backdated record and stores ingest events, trusted seeds and broker-stamped records', async () => {
    const forged = readinessRaised({ eventId: randomUUID(), recordedAt: '2022-01-01T00:00:00Z', summary: 'Forged history' });
    const untrusted = readinessRaised({
      eventId: randomUUID(),
      recordedAt: new Date().toISOString(),
      summary: 'Own recordedAt, unknown producer',
    });
    const seeded = readinessRaised({ eventId: randomUUID(), recordedAt: '2022-01-24T18:00:00Z', summary: 'Historical seed' });
    const { recordedAt: _none, ...brokerStamped } = readinessRaised({ eventId: randomUUID(), summary: 'No recordedAt' });
    const { kafka, ds } = stack;
    const ingest = stack.app('ingest');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: config.kafka.eventsTopic,
      messages: [
        // CreateTime 2022-01-01 as well: the broker replaces it with its append time.
        {
          key: String(forged.storyId),
          value: JSON.stringify(forged),
          timestamp: String(Date.parse('2022-01-01T00:00:00Z')),
          headers: { producer: 'ingest-impostor' },
        },
        { key: String(untrusted.storyId), value: JSON.stringify(untrusted), headers: { producer: 'team-x-connector' } },
        { key: String(seeded.storyId), value: JSON.stringify(seeded), headers: { producer: 'cli-seed' } },
        { key: String(brokerStamped.storyId), value: JSON.stringify(brokerStamped) },
      ],
    });
    await producer.disconnect();
    const viaIngest = readinessRaised({ summary: 'Through ingest' });
    const { recordedAt: _r, eventId: viaIngestId, ...input } = viaIngest;
    const res = await fetch(`${ingest.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': EDITOR },
      body: JSON.stringify({ ...input, eventId: viaIngestId }),
    });
    expect(res.status).toBe(202);

    const stored = [seeded.eventId, brokerStamped.eventId, viaIngestId];
    await waitFor(
      'trusted records stored',
      async () => {
        const rows = (await ds.query('SELECT event_id::text AS id FROM event_log WHERE event_id = ANY($1::uuid[])', [stored])) as {
          id: string;
        }[];
        return rows.length === stored.length ? rows : undefined;
      },
      60_000,
      500,
    );
    const letters = await waitFor(
      'forged records dead-lettered',
      async () => {
        const r = await readTopic(kafka, config.kafka.dlqTopic, 5_000);
        return r.length >= 2 ? r : undefined;
      },
      60_000,
      1000,
    );
    expect(letters.map((l) => [JSON.parse(l.value).eventId, l.headers['dlq.reasonCode']]).sort()).toEqual(
      [
        [forged.eventId, 'EVENT.RECORDED_AT_BACKDATED'],
        [untrusted.eventId, 'EVENT.RECORDED_AT_BACKDATED'],
      ].sort(),
    );
    const none = (await ds.query('SELECT count(*)::int AS n FROM event_log WHERE event_id = ANY($1::uuid[])', [
      [forged.eventId, untrusted.eventId],
    ])) as { n: number }[];
    expect(none[0]!.n).toBe(0);
    // The broker-stamped record's recordedAt is the append time (today), not anything the producer said.
    const [row] = (await ds.query('SELECT recorded_at FROM event_log WHERE event_id = $1', [brokerStamped.eventId])) as {
      recorded_at: Date;
    }[];
    expect(Math.abs(row!.recorded_at.getTime() - Date.now())).toBeLessThan(10 * 60_000);
  }, 120_000);
});
