import type { KafkaConfig } from '@timeline/config';
import { CLOUDEVENTS_SPEC_VERSION, PRODUCER_HEADER, cloudEventDataSchema, eventCatalogue, type EventCatalogue } from '@timeline/events';
import { DEAD_LETTER_REASONS } from './dead-letter-reasons.js';
import { CLOUDEVENTS_HEADER_PREFIX, DLQ_HEADERS, EVENT_HEADERS, timelineTopics } from './topics.js';

/** Options of {@link asyncApiDocument}. */
export interface AsyncApiDocumentOptions {
  /** @default the shared eventCatalogue */
  readonly catalogue?: EventCatalogue;
  /** Consumer group of the projector (`dlq.consumerGroup`). @default "timeline-projector" */
  readonly projectorGroup?: string;
}

type Json = Record<string, unknown>;

const SASL_SCHEME = { plain: 'plain', 'scram-sha-256': 'scramSha256', 'scram-sha-512': 'scramSha512' } as const;

const SLUG_PATTERN = '^[a-z0-9][a-z0-9._-]{0,79}$';

/**
 * The AsyncAPI 3.0 document of the Kafka contract (issue 18), generated from the code that defines it:
 * channels and topic settings from {@link timelineTopics}, one message per event type and version
 * whose payload is that version's JSON Schema exactly as `GET /v1/schemas` serves it (one source of
 * truth), the record key (storyId), the routing and CloudEvents headers ({@link EVENT_HEADERS},
 * `ce_*`), and the dead-letter topic with {@link DLQ_HEADERS} and every reason code. Served by ingest
 * at `/asyncapi.json`.
 */
export function asyncApiDocument(kafka: KafkaConfig, opts: AsyncApiDocumentOptions = {}): Json {
  const catalogue = opts.catalogue ?? eventCatalogue;
  const topics = timelineTopics(kafka);
  const all = catalogue.jsonSchemas();
  const schemas: Json = {};
  const messages: Json = {};
  const eventMessageRefs: Json = {};
  for (const [type, t] of Object.entries(all.types)) {
    for (const [v, schema] of Object.entries(t.versions)) {
      const version = Number(v.slice(1));
      const id = `${type}.${v}`;
      schemas[id] = schema;
      messages[id] = {
        name: id,
        title: `${t.title} (${type}, schema version ${version}${version === t.current ? ', current' : ', read and upcast'})`,
        summary: t.description,
        contentType: 'application/json',
        headers: eventHeadersSchema(type, version),
        payload: { $ref: `#/components/schemas/${id}` },
        correlationId: { description: 'The eventId (also the ce_id header), the idempotency key.', location: '$message.payload#/eventId' },
        bindings: {
          kafka: {
            key: { type: 'string', pattern: SLUG_PATTERN, description: 'storyId: one story, one partition, in order' },
            bindingVersion: '0.5.0',
          },
        },
      };
      eventMessageRefs[id] = { $ref: `#/components/messages/${id}` };
    }
  }
  messages.deadLetter = {
    name: 'deadLetter',
    title: 'A message the projector could not project',
    summary:
      'The original key, value (untouched bytes, often not a valid event) and headers (except dlq.*), plus the dlq.* headers saying why and where it was.',
    contentType: 'application/octet-stream',
    headers: deadLetterHeadersSchema(opts.projectorGroup ?? 'timeline-projector', topics.events.topic),
    payload: { type: 'string', format: 'binary', description: 'the original record value, byte for byte' },
    bindings: { kafka: { key: { type: 'string', description: 'the original key, untouched (may be absent)' }, bindingVersion: '0.5.0' } },
  };

  return {
    asyncapi: '3.0.0',
    id: 'urn:timeline:kafka',
    info: {
      title: 'Crisis timeline — Kafka topics',
      version: '1',
      description:
        'The event topic (the system of record: every accepted event, one JSON envelope per record, key = storyId) and its dead-letter topic. ' +
        'Every event record is also a CloudEvent in binary mode (ce_* headers, data = the envelope). ' +
        'Old schema versions stay on the topic and are upcast on read, never rewritten. docs/events.md describes every type; GET /v1/schemas serves the same JSON Schemas.',
    },
    defaultContentType: 'application/json',
    servers: Object.fromEntries(
      kafka.brokers.map((host, i) => [
        `broker${i}`,
        {
          host,
          protocol: kafka.ssl ? 'kafka-secure' : 'kafka',
          ...(kafka.sasl ? { security: [{ $ref: '#/components/securitySchemes/sasl' }] } : {}),
          description: 'A bootstrap broker of this deployment (KAFKA_BROKERS).',
        },
      ]),
    ),
    channels: {
      events: {
        address: topics.events.topic,
        title: 'Accepted events',
        description: `Partitions: ${topics.events.numPartitions}; key = storyId. Written by ingest and the CLI seed (idempotent producers, acks=all); read by the projector, which validates every record again (any producer may write here).`,
        messages: eventMessageRefs,
        bindings: { kafka: topicBinding(topics.events) },
      },
      deadLetters: {
        address: topics.dlq.topic,
        title: 'Dead letters',
        description:
          'Poison messages the projector set aside (docs/operations.md, "Poison messages and the DLQ"). For humans and repair tools.',
        messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
        bindings: { kafka: topicBinding(topics.dlq) },
      },
    },
    operations: {
      publishEvents: {
        action: 'send',
        title: 'Ingest publishes accepted events',
        summary: 'POST /v1/events (or the CLI seed) → one record per event, 202 only after Kafka acknowledged.',
        channel: { $ref: '#/channels/events' },
        messages: Object.keys(eventMessageRefs)
          .filter((id) => id.endsWith(`.v${all.types[id.slice(0, id.lastIndexOf('.'))]!.current}`))
          .map((id) => ({ $ref: `#/channels/events/messages/${id}` })),
      },
      projectEvents: {
        action: 'receive',
        title: 'The projector builds the read model',
        summary: `Consumer group ${opts.projectorGroup ?? 'timeline-projector'}; every version is accepted and upcast.`,
        channel: { $ref: '#/channels/events' },
        messages: Object.keys(eventMessageRefs).map((id) => ({ $ref: `#/channels/events/messages/${id}` })),
      },
      deadLetterEvents: {
        action: 'send',
        title: 'The projector dead-letters poison messages',
        channel: { $ref: '#/channels/deadLetters' },
        messages: [{ $ref: '#/channels/deadLetters/messages/deadLetter' }],
      },
    },
    components: {
      schemas,
      messages,
      ...(kafka.sasl
        ? { securitySchemes: { sasl: { type: SASL_SCHEME[kafka.sasl.mechanism], description: 'SASL (KAFKA_SASL_*).' } } }
        : {}),
    },
  };
}

function topicBinding(spec: ReturnType<typeof timelineTopics>['events']): Json {
  const config = Object.fromEntries(spec.configEntries.map((e) => [e.name, /^-?\d+$/.test(e.value) ? Number(e.value) : e.value]));
  return {
    topic: spec.topic,
    partitions: spec.numPartitions,
    // `auto` is settled when the topic is created (by broker count), so the document names no number.
    ...(spec.replicationFactor === 'auto' ? {} : { replicas: spec.replicationFactor }),
    topicConfiguration: {
      ...(config['retention.ms'] !== undefined ? { 'retention.ms': config['retention.ms'] } : {}),
      ...(config['cleanup.policy'] !== undefined ? { 'cleanup.policy': [config['cleanup.policy']] } : {}),
      ...(config['max.message.bytes'] !== undefined ? { 'max.message.bytes': config['max.message.bytes'] } : {}),
    },
    bindingVersion: '0.5.0',
  };
}

/** The headers of one event record: routing headers and the CloudEvents binary-mode ones. */
function eventHeadersSchema(type: string, version: number): Json {
  const ce = (name: string) => `${CLOUDEVENTS_HEADER_PREFIX}${name}`;
  return {
    type: 'object',
    required: [EVENT_HEADERS.type, EVENT_HEADERS.schemaVersion, EVENT_HEADERS.eventId, EVENT_HEADERS.contentType],
    properties: {
      [EVENT_HEADERS.type]: { type: 'string', const: type, description: 'route without parsing the value' },
      [EVENT_HEADERS.schemaVersion]: { type: 'string', const: String(version) },
      [EVENT_HEADERS.eventId]: { type: 'string', format: 'uuid' },
      [EVENT_HEADERS.contentType]: { type: 'string', const: 'application/json' },
      [PRODUCER_HEADER]: {
        type: 'string',
        examples: ['ingest', 'cli-seed'],
        description: 'which tool published the record (PROJECTOR_TRUSTED_PRODUCERS)',
      },
      [ce('specversion')]: { type: 'string', const: CLOUDEVENTS_SPEC_VERSION },
      [ce('id')]: { type: 'string', format: 'uuid', description: '= eventId' },
      [ce('type')]: { type: 'string', const: type },
      [ce('source')]: {
        type: 'string',
        pattern: `^urn:timeline:story:${SLUG_PATTERN.slice(1)}`,
        description: 'urn:timeline:story:<storyId>',
      },
      [ce('time')]: { type: 'string', format: 'date-time', description: '= recordedAt' },
      [ce('dataschema')]: { type: 'string', const: cloudEventDataSchema(type, version), description: 'the $id of the payload schema' },
    },
    additionalProperties: { type: 'string' },
  };
}

/** The headers of a dead letter: the original ones, plus `dlq.*`. */
function deadLetterHeadersSchema(group: string, eventsTopic: string): Json {
  return {
    type: 'object',
    required: Object.values(DLQ_HEADERS),
    properties: {
      [DLQ_HEADERS.reasonCode]: {
        type: 'string',
        enum: Object.keys(DEAD_LETTER_REASONS),
        description: Object.entries(DEAD_LETTER_REASONS)
          .map(([code, meaning]) => `${code}: ${meaning}`)
          .join('; '),
      },
      [DLQ_HEADERS.reason]: { type: 'string', maxLength: 2000, description: 'one human sentence with up to 10 field issues' },
      [DLQ_HEADERS.originalTopic]: { type: 'string', examples: [eventsTopic] },
      [DLQ_HEADERS.originalPartition]: { type: 'string', pattern: '^[0-9]+$' },
      [DLQ_HEADERS.originalOffset]: { type: 'string', pattern: '^[0-9]+$' },
      [DLQ_HEADERS.failedAt]: { type: 'string', format: 'date-time' },
      [DLQ_HEADERS.consumerGroup]: { type: 'string', examples: [group] },
    },
    additionalProperties: { type: 'string', description: `the original record's headers (${EVENT_HEADERS.type}, ce_id, …)` },
  };
}
