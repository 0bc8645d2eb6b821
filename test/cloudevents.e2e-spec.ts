import { randomUUID } from 'node:crypto';
import { CloudEvent, HTTP, Kafka as KafkaBinding, type KafkaMessage } from 'cloudevents';
import type { Kafka } from 'kafkajs';
import { LANGUAGE_DETECTOR, cloudEventDataSchema, eventCatalogue } from '@timeline/events';
import { hashApiKey } from '@timeline/http';
import {
  createTestDatabase,
  readTopic,
  readinessRaised,
  startApp,
  testConfig,
  testKafka,
  waitFor,
  type ReadRecord,
  type RunningApp,
} from './support/index.js';

const EDITOR_KEY = 'editor-key-for-cloudevents-tests';

/** The envelope fields a CloudEvent carries in `data` (eventId, type and recordedAt live elsewhere). */
function envelopeData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { eventId: _id, type: _type, recordedAt: _recorded, schemaVersion: _v, ...data } = readinessRaised(overrides);
  return data;
}

/** A topic record as the SDK's Kafka binding takes it. */
function kafkaMessageOf(r: ReadRecord): KafkaMessage<string> {
  return { key: r.key ?? '', value: r.value, headers: r.headers, body: r.value, timestamp: r.timestamp };
}

describe('CloudEvents on the wire and at ingest (issue 18), with the cloudevents SDK', () => {
  const { env, config } = testConfig({ API_KEYS: `ce-editor:editor:${hashApiKey(EDITOR_KEY)}` });
  const topic = config.kafka.eventsTopic;
  const apps: RunningApp[] = [];
  let ingest: RunningApp;
  let kafka: Kafka;
  let drop: () => Promise<void>;

  const post = (path: string, body: string, contentType: string) =>
    fetch(`${ingest.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, 'x-api-key': EDITOR_KEY }, body });
  const recordOf = async (eventId: string) =>
    waitFor(
      `record ${eventId} on ${topic}`,
      async () => (await readTopic(kafka, topic)).find((r) => r.headers.eventId === eventId),
      30_000,
    );

  beforeAll(async () => {
    drop = (await createTestDatabase(config)).drop;
    kafka = testKafka(config);
    ingest = await startApp('ingest', env);
    apps.push(ingest);
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await drop();
  });

  it('every record is a binary-mode CloudEvent: the SDK reads it back as the event', async () => {
    const { recordedAt: _r, ...input } = readinessRaised();
    const res = await post('/v1/events', JSON.stringify(input), 'application/json');
    expect(res.status).toBe(202);
    const { eventId } = (await res.json()) as { eventId: string };
    const record = await recordOf(eventId);
    const envelope = JSON.parse(record.value) as Record<string, unknown>;

    const message = kafkaMessageOf(record);
    expect(KafkaBinding.isEvent(message)).toBe(true);
    const ce = KafkaBinding.toEvent(message) as CloudEvent<Record<string, unknown>>;
    expect(ce.specversion).toBe('1.0');
    expect(ce.id).toBe(eventId);
    expect(ce.type).toBe('readiness.raised');
    expect(ce.source).toBe('urn:timeline:story:russia-ukraine-2022');
    expect(ce.time).toBe(envelope.recordedAt);
    expect(ce.datacontenttype).toBe('application/json');
    expect(ce.dataschema).toBe(cloudEventDataSchema('readiness.raised', 2));
    expect(ce.partitionkey).toBe('russia-ukraine-2022');
    // data is the envelope, and the envelope is valid for the catalogue.
    expect(ce.data).toEqual(envelope);
    expect(eventCatalogue.decode(ce.data).ok).toBe(true);
    // The dataschema names a schema GET /v1/schemas publishes.
    expect(eventCatalogue.jsonSchemas().types['readiness.raised']!.versions.v2!.$id).toBe(ce.dataschema);
  });

  it('takes a structured-mode CloudEvent built with the SDK: 202, stored and readable in the timeline', async () => {
    const sent = new CloudEvent({
      type: 'readiness.raised',
      source: 'urn:newsroom:desk-1',
      subject: 'russia-ukraine-2022',
      dataschema: cloudEventDataSchema('readiness.raised', 2),
      datacontenttype: 'application/json',
      data: envelopeData({ summary: 'Sent as a CloudEvent: Pentagon puts 8,500 troops on alert' }),
    });
    const { headers, body } = HTTP.structured(sent);
    expect(headers['content-type']).toContain('application/cloudevents+json');
    const res = await fetch(`${ingest.url}/v1/events`, {
      method: 'POST',
      headers: { ...(headers as Record<string, string>), 'x-api-key': EDITOR_KEY },
      body: body as string,
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { eventId: string }).eventId).toBe(sent.id);

    // On the topic: the envelope (mapped), with CloudEvents headers of its own.
    const record = await recordOf(sent.id);
    const back = KafkaBinding.toEvent(kafkaMessageOf(record)) as CloudEvent<Record<string, unknown>>;
    expect(back.id).toBe(sent.id);
    expect(back.type).toBe(sent.type);
    expect(back.data).toEqual({
      ...(sent.data as object),
      eventId: sent.id,
      type: 'readiness.raised',
      schemaVersion: 2,
      recordedAt: back.time,
      // Issue 16: no language in the data, so ingest publishes the detected one.
      language: 'en',
      languageDetectedBy: LANGUAGE_DETECTOR,
    });
    expect(eventCatalogue.decode(back.data).ok).toBe(true);

    // Projected and readable like any other event.
    apps.push(await startApp('projector', env));
    const api = await startApp('timeline-api', env);
    apps.push(api);
    const entry = await waitFor(
      `entry ${sent.id} in the timeline`,
      async () => {
        const r = await fetch(`${api.url}/v1/entries/${sent.id}`);
        return r.status === 200 ? ((await r.json()) as { summary?: string; type?: string }) : undefined;
      },
      60_000,
    );
    expect(JSON.stringify(entry)).toContain('Sent as a CloudEvent');
  });

  it('takes a batch (application/cloudevents-batch+json) all-or-nothing, with errors pointing into the CloudEvents', async () => {
    const events = [1, 2].map(
      (n) =>
        new CloudEvent({
          type: 'readiness.raised',
          source: 'urn:newsroom:desk-2',
          data: envelopeData({ summary: `CloudEvents batch item ${n}` }),
        }),
    );
    const batch = JSON.stringify(events.map((e) => e.toJSON()));
    const ok = await post('/v1/events/batch', batch, 'application/cloudevents-batch+json');
    expect(ok.status).toBe(202);
    const accepted = (await ok.json()) as { accepted: number; events: { eventId: string }[] };
    expect(accepted.accepted).toBe(2);
    expect(accepted.events.map((e) => e.eventId)).toEqual(events.map((e) => e.id));
    for (const e of events) expect((await recordOf(e.id)).headers.ce_id).toBe(e.id);

    const bad = [
      { ...events[0]!.toJSON(), id: randomUUID(), data: { ...envelopeData(), payload: { forceSize: 'many' } } },
      { ...events[1]!.toJSON(), id: 'not-a-uuid' },
    ];
    const refused = await post('/v1/events/batch', JSON.stringify(bad), 'application/cloudevents-batch+json');
    expect(refused.status).toBe(422);
    const problem = (await refused.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('EVENT.INVALID_BATCH');
    const paths = problem.errors.map((e) => e.path);
    expect(paths).toContain('/1/id');
    expect(paths.some((p) => p.startsWith('/0/data/payload/forceSize'))).toBe(true);
  });

  it('refuses a CloudEvent it cannot map, and the wrong CloudEvents format for the endpoint', async () => {
    const ce = new CloudEvent({ type: 'readiness.raised', source: 'urn:newsroom:desk-3', data: envelopeData() }).toJSON();
    const wrongSchema = await post(
      '/v1/events',
      JSON.stringify({ ...ce, dataschema: cloudEventDataSchema('denial.issued', 1) }),
      'application/cloudevents+json',
    );
    expect(wrongSchema.status).toBe(422);
    expect(((await wrongSchema.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['/dataschema']);

    const batchToSingle = await post('/v1/events', JSON.stringify([ce]), 'application/cloudevents-batch+json');
    expect(batchToSingle.status).toBe(415);
    expect(((await batchToSingle.json()) as { detail: string }).detail).toContain('POST /v1/events/batch');
  });
});
