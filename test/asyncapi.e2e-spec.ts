import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { eventCatalogue } from '@timeline/events';
import { DEAD_LETTER_REASONS, DLQ_HEADERS, EVENT_HEADERS } from '@timeline/kafka';
import { ARTIFACTS_DIR, startApp, testConfig, type RunningApp } from './support/index.js';

interface Served {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, unknown>; bindings: { kafka: { partitions: number } } }>;
  components: {
    schemas: Record<string, unknown>;
    messages: Record<string, { headers: { properties: Record<string, { enum?: string[] }> }; payload: { $ref?: string } }>;
  };
}

describe('the AsyncAPI document of the Kafka topics (issue 18)', () => {
  const { env, config } = testConfig({ KAFKA_TOPIC_PARTITIONS: '4' });
  let ingest: RunningApp;
  let doc: Served;

  beforeAll(async () => {
    ingest = await startApp('ingest', env);
    const res = await fetch(`${ingest.url}/asyncapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Served;
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    await writeFile(path.join(ARTIFACTS_DIR, 'asyncapi.json'), JSON.stringify(doc, null, 2));
  });
  afterAll(async () => {
    await ingest?.stop();
  });

  it('is valid AsyncAPI 3.0 for @asyncapi/parser: no errors, no warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const shown = diagnostics.map((d) => `${d.severity} ${d.code} at ${d.path.join('/')}: ${d.message}`);
    // Severity 0 = error, 1 = warning (2, 3: information, hints).
    expect(shown.filter((_, i) => diagnostics[i]!.severity <= 1)).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
    expect(
      document!
        .channels()
        .all()
        .map((c) => c.address()),
    ).toEqual([config.kafka.eventsTopic, config.kafka.dlqTopic]);
    expect(
      document!
        .operations()
        .all()
        .map((o) => o.action()),
    ).toEqual(['send', 'receive', 'send']);
  });

  it('the same check fails a broken document (the validator bites)', async () => {
    const broken = JSON.parse(JSON.stringify(doc)) as Record<string, unknown> & { operations: Record<string, { channel: unknown }> };
    broken.operations.publishEvents!.channel = { $ref: '#/channels/noSuchChannel' };
    const { diagnostics } = await new Parser().parse(JSON.stringify(broken));
    expect(diagnostics.filter((d) => d.severity === 0).length).toBeGreaterThan(0);
  });

  it('describes the configured topics, one message per type and schema version, with the catalogue schemas verbatim', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.channels.events!.address).toBe(config.kafka.eventsTopic);
    expect(doc.channels.events!.bindings.kafka.partitions).toBe(4);
    expect(doc.channels.deadLetters!.address).toBe(config.kafka.dlqTopic);
    const catalogue = eventCatalogue.jsonSchemas();
    const expected = Object.entries(catalogue.types).flatMap(([type, t]) => Object.keys(t.versions).map((v) => `${type}.${v}`));
    expect(Object.keys(doc.channels.events!.messages)).toEqual(expected);
    for (const [type, t] of Object.entries(catalogue.types)) {
      for (const [v, schema] of Object.entries(t.versions)) {
        // One source of truth with GET /v1/schemas: the very same JSON Schema.
        expect(doc.components.schemas[`${type}.${v}`]).toEqual(schema);
        expect(doc.components.messages[`${type}.${v}`]!.payload.$ref).toBe(`#/components/schemas/${type}.${v}`);
      }
    }
  });

  it('names every event header and every dead-letter header and reason code', () => {
    const headers = doc.components.messages['readiness.raised.v2']!.headers.properties;
    for (const h of [...Object.values(EVENT_HEADERS), 'ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_time', 'ce_dataschema']) {
      expect(headers).toHaveProperty([h]);
    }
    const dlq = doc.components.messages.deadLetter!.headers.properties;
    for (const h of Object.values(DLQ_HEADERS)) expect(dlq).toHaveProperty([h]);
    expect(dlq[DLQ_HEADERS.reasonCode]!.enum).toEqual(Object.keys(DEAD_LETTER_REASONS));
  });
});
