import type { Admin, Kafka } from 'kafkajs';
import { LANGUAGE_DETECTOR, eventCatalogue } from '@timeline/events';
import { hashApiKey } from '@timeline/http';
import { EVENT_HEADERS } from '@timeline/kafka';
import { countTopicRecords, javaConsume, readTopic, startApp, testConfig, testKafka, type RunningApp } from './support/index.js';

const EDITOR_KEY = 'editor-key-for-ingest-tests';
const READER_KEY = 'reader-key-for-ingest-tests';
const ADMIN_KEY = 'admin-key-for-ingest-tests';

/** A valid ingest input (what a newsroom tool posts): no eventId, schemaVersion or recordedAt. */
function alert(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'readiness.raised',
    occurredAt: '2022-01-24T00:00:00Z',
    occurredAtPrecision: 'day',
    storyId: 'russia-ukraine-2022',
    actors: [{ id: 'us-dod', name: 'US Department of Defense', country: 'US', role: 'subject' }],
    locations: [{ name: 'Washington', country: 'US', lat: 38.87, lon: -77.06, geoPrecision: 1 }],
    sources: [{ role: 'primary', outlet: 'US Department of Defense', url: 'https://www.defense.gov/News/' }],
    tags: ['nato'],
    confirmation: 'confirmed',
    summary: 'Pentagon puts about 8,500 troops on heightened alert.',
    payload: { forceSize: 8500, noticePeriodDaysBefore: 10, noticePeriodDaysAfter: 5 },
    ...overrides,
  };
}

interface Problem {
  status: number;
  code?: string;
  detail?: string;
  errors?: { path: string; message: string; code?: string }[];
  retryAfterSeconds?: number;
  eventIds?: string[];
}

describe('ingest: HTTP → Kafka on a real broker', () => {
  const { env, config } = testConfig({
    API_KEYS: [
      `tests-editor:editor:${hashApiKey(EDITOR_KEY)}`,
      `tests-reader:reader:${hashApiKey(READER_KEY)}`,
      `tests-admin:admin:${hashApiKey(ADMIN_KEY)}`,
    ].join(','),
  });
  const topic = config.kafka.eventsTopic;
  let app: RunningApp;
  let kafka: Kafka;
  let admin: Admin;

  const post = (path: string, body: unknown, opts: { key?: string | null; contentType?: string; raw?: string } = {}) =>
    fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': opts.contentType ?? 'application/json',
        ...(opts.key === null ? {} : { 'x-api-key': opts.key ?? EDITOR_KEY }),
      },
      body: opts.raw ?? JSON.stringify(body),
    });

  async function expectProblem(res: Response, status: number): Promise<Problem> {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    return (await res.json()) as Problem;
  }

  beforeAll(async () => {
    kafka = testKafka(config);
    admin = kafka.admin();
    await admin.connect();
    app = await startApp('ingest', env);
  });

  afterAll(async () => {
    await app?.stop();
    await admin.deleteTopics({ topics: [topic, config.kafka.dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates its topics at boot with the configured partitions and retention', async () => {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]!.partitions).toHaveLength(3);
    const described = await admin.describeConfigs({
      resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(described.resources[0]!.configEntries.find((c) => c.configName === 'retention.ms')?.configValue).toBe('-1');
  });

  it('publishes a posted event: 202 with eventId, partition and offset, and the record has the right key, headers and body', async () => {
    const before = Date.now();
    const res = await post('/v1/events', alert());
    expect(res.status).toBe(202);
    const ack = (await res.json()) as { eventId: string; partition: number; offset: string };
    expect(ack.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const records = await readTopic(kafka, topic);
    const rec = records.find((r) => r.partition === ack.partition && r.offset === ack.offset);
    expect(rec).toBeDefined();
    expect(rec!.key).toBe('russia-ukraine-2022');
    expect(rec!.headers[EVENT_HEADERS.type]).toBe('readiness.raised');
    expect(rec!.headers[EVENT_HEADERS.schemaVersion]).toBe('2');
    expect(rec!.headers[EVENT_HEADERS.eventId]).toBe(ack.eventId);
    const body = JSON.parse(rec!.value) as Record<string, unknown>;
    // Issue 16: the producer left language out, so ingest publishes the detected one and says so.
    expect(body).toEqual({
      ...alert(),
      eventId: ack.eventId,
      schemaVersion: 2,
      recordedAt: expect.any(String),
      language: 'en',
      languageDetectedBy: LANGUAGE_DETECTOR,
    });
    const recordedAt = Date.parse(body.recordedAt as string);
    expect(recordedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(recordedAt).toBeLessThanOrEqual(Date.now());
    // What went onto the topic is a complete envelope the projector's decode accepts.
    expect(eventCatalogue.decode(body).ok).toBe(true);
  });

  it('accepts the same eventId twice (the projector keeps it once)', async () => {
    const eventId = '3b7e8c2a-1d4f-4a6b-9c8e-7f6a5b4c3d2e';
    const first = await post('/v1/events', alert({ eventId }));
    const second = await post('/v1/events', alert({ eventId }));
    expect([first.status, second.status]).toEqual([202, 202]);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as { eventId: string; offset: string }[];
    expect(a!.eventId).toBe(eventId);
    expect(b!.eventId).toBe(eventId);
    expect(b!.offset).not.toBe(a!.offset);
  });

  it('publishes a batch in request order, as an array or as { events }', async () => {
    const asArray = await post('/v1/events/batch', [alert({ summary: 'one' }), alert({ summary: 'two', storyId: 'other-story' })]);
    expect(asArray.status).toBe(202);
    const acked = (await asArray.json()) as { accepted: number; events: { eventId: string; partition: number; offset: string }[] };
    expect(acked.accepted).toBe(2);
    const asObject = await post('/v1/events/batch', { events: [alert({ summary: 'three' })] });
    expect(asObject.status).toBe(202);

    const records = await readTopic(kafka, topic);
    const at = (p: { partition: number; offset: string }) => records.find((r) => r.partition === p.partition && r.offset === p.offset);
    expect(JSON.parse(at(acked.events[0]!)!.value).summary).toBe('one');
    expect(JSON.parse(at(acked.events[1]!)!.value).summary).toBe('two');
    expect(at(acked.events[1]!)!.key).toBe('other-story');
  });

  it('publishes nothing from a batch with one bad event, and names the bad field under its index', async () => {
    const before = await countTopicRecords(kafka, topic);
    const res = await post('/v1/events/batch', {
      events: [alert(), alert(), alert(), alert({ payload: { forceSize: -1 } }), alert({ summary: '', type: 'alien.landed' })],
    });
    const problem = await expectProblem(res, 422);
    expect(problem.code).toBe('EVENT.INVALID_BATCH');
    expect(problem.detail).toMatch(/2 of 5 event\(s\) are invalid; nothing was published/);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: '/events/3/payload/forceSize', message: 'must be >= 0', code: 'EVENT.INVALID_PAYLOAD' },
        expect.objectContaining({ path: '/events/4/summary' }),
        expect.objectContaining({ path: '/events/4/type' }),
      ]),
    );
    // A bare array is addressed from the root.
    const bare = await expectProblem(await post('/v1/events/batch', [alert(), alert({ payload: { forceSize: 'many' } })]), 422);
    expect(bare.errors?.map((e) => e.path)).toEqual(['/1/payload/forceSize']);
    expect(await countTopicRecords(kafka, topic)).toBe(before);
  });

  it('names every bad field of a single event (422) and refuses a client recordedAt', async () => {
    const { summary: _s, ...noSummary } = alert();
    const res = await post('/v1/events', {
      ...noSummary,
      recordedAt: '2020-01-01T00:00:00Z',
      occurredAtPrecision: 'week',
      actors: [{ id: 'X' }],
    });
    const problem = await expectProblem(res, 422);
    expect(problem.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/recordedAt', '/summary', '/occurredAtPrecision', '/actors/0/id', '/actors/0/name', '/actors/0/role']),
    );
  });

  it('refuses empty, oversized and misshapen batches with 422', async () => {
    expect((await expectProblem(await post('/v1/events/batch', []), 422)).errors?.[0]?.path).toBe('/');
    const tooMany = Array.from({ length: 1001 }, () => ({}));
    expect((await expectProblem(await post('/v1/events/batch', tooMany), 422)).detail).toContain('at most 1000');
    expect((await expectProblem(await post('/v1/events/batch', { items: [] }), 422)).errors?.map((e) => e.path)).toEqual(['/items']);
    expect((await expectProblem(await post('/v1/events/batch', { events: 'x' }), 422)).errors?.[0]).toEqual({
      path: '/events',
      message: 'must be array',
    });
  });

  it('needs an editor key: none → 401, unknown → 401, reader → 403, admin → 202', async () => {
    expect((await expectProblem(await post('/v1/events', alert(), { key: null }), 401)).code).toBe('AUTH.MISSING_KEY');
    expect((await expectProblem(await post('/v1/events', alert(), { key: 'nope' }), 401)).code).toBe('AUTH.INVALID_KEY');
    expect((await expectProblem(await post('/v1/events', alert(), { key: READER_KEY }), 403)).code).toBe('AUTH.FORBIDDEN');
    expect((await expectProblem(await post('/v1/events/batch', [alert()], { key: READER_KEY }), 403)).code).toBe('AUTH.FORBIDDEN');
    expect((await post('/v1/events', alert(), { key: ADMIN_KEY })).status).toBe(202);
  });

  it('answers a 2 MB body with 413', async () => {
    const raw = JSON.stringify({ events: [alert({ summary: 'x'.repeat(2 * 1024 * 1024) })] });
    const problem = await expectProblem(await post('/v1/events/batch', null, { raw }), 413);
    expect(problem.code).toBe('REQUEST.TOO_LARGE');
  });

  it('answers malformed JSON with 400, never 500', async () => {
    for (const raw of ['{"type": "readiness.raised",', '{bad json}', '[1, 2', 'nul']) {
      const problem = await expectProblem(await post('/v1/events', null, { raw }), 400);
      expect(problem.code).toBe('REQUEST.MALFORMED');
    }
    for (const raw of ['"a string"', '42', 'null', '[]']) {
      const res = await post('/v1/events', null, { raw });
      expect([400, 422]).toContain(res.status);
    }
  });

  it('answers a body that is not JSON with 415', async () => {
    const problem = await expectProblem(await post('/v1/events', null, { raw: 'type=readiness.raised', contentType: 'text/plain' }), 415);
    expect(problem.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
  });

  it('describes itself: OpenAPI from the catalogue at /docs, JSON Schema at /v1/schemas', async () => {
    expect((await fetch(`${app.url}/docs`)).status).toBe(200);
    const doc = (await (await fetch(`${app.url}/docs-json`)).json()) as {
      paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { $ref?: string } }> }; responses: object } }>;
      components: { schemas: Record<string, { oneOf?: unknown[]; discriminator?: { mapping: Record<string, string> } }> };
    };
    const one = doc.paths['/v1/events']?.post;
    expect(one?.requestBody?.content['application/json']?.schema.$ref).toBe('#/components/schemas/EventInput');
    const input = doc.components.schemas.EventInput;
    expect(input?.oneOf).toHaveLength(eventCatalogue.typeNames().length);
    expect(Object.keys(input?.discriminator?.mapping ?? {})).toEqual(eventCatalogue.typeNames());
    expect(Object.keys(one?.responses ?? {})).toEqual(expect.arrayContaining(['202', '400', '401', '403', '413', '422', '503']));
    expect(doc.paths['/v1/events/batch']?.post).toBeDefined();
    const schemas = (await (await fetch(`${app.url}/v1/schemas`)).json()) as { types: Record<string, unknown> };
    expect(Object.keys(schemas.types).sort()).toEqual(eventCatalogue.typeNames().sort());
  });

  it('counts accepted and rejected events and times publishes in /metrics', async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/timeline_ingest_events_accepted_total\{[^}]*type="readiness.raised"[^}]*\} [1-9]/);
    expect(text).toMatch(/timeline_ingest_events_rejected_total\{[^}]*code="EVENT.INVALID_PAYLOAD"[^}]*\} [1-9]/);
    expect(text).toMatch(/timeline_ingest_publish_duration_seconds_count\{[^}]*outcome="acknowledged"[^}]*\} [1-9]/);
  });
});

/** An ingest app of its own (editor key only) for one describe block, with an admin client; both closed after it. */
function ingestAlone(overrides: Record<string, string> = {}) {
  const { env, config } = testConfig({ API_KEYS: `tests-editor:editor:${hashApiKey(EDITOR_KEY)}`, ...overrides });
  const bed = { config, app: undefined as unknown as RunningApp, admin: undefined as unknown as Admin };
  beforeAll(async () => {
    bed.admin = testKafka(config).admin();
    await bed.admin.connect();
    bed.app = await startApp('ingest', env);
  });
  afterAll(async () => {
    await bed.app?.stop();
    await bed.admin.deleteTopics({ topics: [config.kafka.eventsTopic, config.kafka.dlqTopic] }).catch(() => undefined);
    await bed.admin.disconnect();
  });
  return bed;
}

describe('ingest when Kafka does not take the events', () => {
  const bed = ingestAlone();
  const { config } = bed;

  it('answers 503 with Retry-After and the eventIds to resend — never 202', async () => {
    // The events topic disappears under the running app (producers never auto-create it).
    await bed.admin.deleteTopics({ topics: [config.kafka.eventsTopic] });
    const res = await fetch(`${bed.app.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': EDITOR_KEY },
      body: JSON.stringify(alert({ eventId: '9c0b7a6e-5d4c-4b3a-8f2e-1d0c9b8a7f6e' })),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const problem = (await res.json()) as Problem;
    expect(problem).toMatchObject({ code: 'UNAVAILABLE.KAFKA', retryAfterSeconds: 5, eventIds: ['9c0b7a6e-5d4c-4b3a-8f2e-1d0c9b8a7f6e'] });
    const metrics = await (await fetch(`${bed.app.url}/metrics`)).text();
    expect(metrics).toMatch(/timeline_ingest_events_rejected_total\{[^}]*code="UNAVAILABLE.KAFKA"[^}]*\} 1/);
  });
});

describe('ingest with KAFKA_COMPRESSION=zstd', () => {
  const bed = ingestAlone({ KAFKA_COMPRESSION: 'zstd' });
  const { config } = bed;

  it('publishes zstd batches that Kafka’s Java consumer reads, taking far fewer bytes than the envelopes', async () => {
    const inputs = Array.from({ length: 120 }, (_, i) => alert({ summary: `Compressed alert ${i}`, storyId: `story-${i % 3}` }));
    const res = await fetch(`${bed.app.url}/v1/events/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': EDITOR_KEY },
      body: JSON.stringify(inputs),
    });
    expect(res.status).toBe(202);
    const acked = (await res.json()) as { events: { eventId: string }[] };

    const read = await javaConsume(config.kafka.brokers.join(','), config.kafka.eventsTopic, inputs.length);
    const values = read.records.map((r) => r.value!);
    expect(values.map((v) => JSON.parse(v.toString('utf8')).eventId as string).sort()).toEqual(acked.events.map((e) => e.eventId).sort());
    const envelopeBytes = values.reduce((n, v) => n + v.length, 0);
    // Uncompressed, the log holds at least every envelope's bytes; zstd stores them in well under half.
    expect(read.logBytes).toBeLessThan(envelopeBytes / 2);
  });
});
