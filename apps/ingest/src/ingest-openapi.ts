import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { CLOUDEVENTS_SPEC_VERSION, LIMITS, eventCatalogue, ingestInputSchemas } from '@timeline/events';

const input = ingestInputSchemas();

/** Named schemas for `components.schemas`: one per event type, generated from the catalogue (one source of truth). */
export const INGEST_OPENAPI_SCHEMAS = {
  ...(input.components as unknown as Record<string, SchemaObject>),
  EventInput: input.oneOf as unknown as SchemaObject,
  CloudEventInput: {
    type: 'object',
    description:
      'One structured-mode CloudEvent 1.0 (JSON format). id → eventId, type → type, data → the other envelope fields, dataschema → schemaVersion; source, subject and time are not stored (docs/events.md, "CloudEvents").',
    required: ['specversion', 'id', 'source', 'type', 'data'],
    properties: {
      specversion: { type: 'string', enum: [CLOUDEVENTS_SPEC_VERSION] },
      id: { type: 'string', format: 'uuid', description: 'becomes the eventId (the idempotency key)' },
      source: { type: 'string', format: 'uri-reference', example: 'urn:newsroom:desk-1' },
      type: { type: 'string', enum: eventCatalogue.typeNames() },
      dataschema: {
        type: 'string',
        pattern: '^urn:timeline:event:[a-z]+(\\.[a-z]+)+:v[1-9][0-9]{0,3}$',
        description: 'the $id of the version in GET /v1/schemas, e.g. urn:timeline:event:readiness.raised:v2; sets schemaVersion',
      },
      datacontenttype: { type: 'string', enum: ['application/json'] },
      subject: { type: 'string' },
      time: { type: 'string', format: 'date-time', description: 'ignored: the server stamps recordedAt' },
      data: {
        type: 'object',
        additionalProperties: true,
        description: 'the event envelope without eventId, type and recordedAt (storyId, occurredAt, payload, summary, …): see EventInput',
      },
    },
    additionalProperties: true,
  } satisfies SchemaObject,
};

/** OpenAPI schemas of the ingest endpoints: one event is any branch of the discriminated `EventInput`. */
export const EVENT_INPUT_SCHEMA: ReferenceObject = { $ref: '#/components/schemas/EventInput' };

/** One structured-mode CloudEvent. */
export const CLOUDEVENT_INPUT_SCHEMA: ReferenceObject = { $ref: '#/components/schemas/CloudEventInput' };

/** The CloudEvents JSON batch format: an array of structured-mode events. */
export const CLOUDEVENT_BATCH_INPUT_SCHEMA: SchemaObject = {
  type: 'array',
  minItems: 1,
  maxItems: LIMITS.batchEvents,
  items: CLOUDEVENT_INPUT_SCHEMA,
};

export const BATCH_INPUT_SCHEMA: SchemaObject = {
  description: `Up to ${LIMITS.batchEvents} events, as a bare array or as { "events": [...] }. All-or-nothing: one invalid event and nothing is published.`,
  oneOf: [
    { type: 'array', minItems: 1, maxItems: LIMITS.batchEvents, items: EVENT_INPUT_SCHEMA },
    {
      type: 'object',
      required: ['events'],
      additionalProperties: false,
      properties: { events: { type: 'array', minItems: 1, maxItems: LIMITS.batchEvents, items: EVENT_INPUT_SCHEMA } },
    },
  ],
};

export const PUBLISHED_EVENT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['eventId', 'partition', 'offset'],
  properties: {
    eventId: { type: 'string', format: 'uuid', description: 'the client’s eventId, or the one generated for it' },
    partition: { type: 'integer', minimum: 0 },
    offset: { type: 'string', pattern: '^[0-9]+$', description: 'Kafka offset (int64 as a decimal string)' },
  },
};

export const PUBLISHED_BATCH_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['accepted', 'events'],
  properties: {
    accepted: { type: 'integer', minimum: 1 },
    events: { type: 'array', items: PUBLISHED_EVENT_SCHEMA, description: 'in request order' },
  },
};
