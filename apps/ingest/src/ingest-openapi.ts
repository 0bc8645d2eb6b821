import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { LIMITS, ingestInputSchemas } from '@timeline/events';

const input = ingestInputSchemas();

/** Named schemas for `components.schemas`: one per event type, generated from the catalogue (one source of truth). */
export const INGEST_OPENAPI_SCHEMAS = {
  ...(input.components as unknown as Record<string, SchemaObject>),
  EventInput: input.oneOf as unknown as SchemaObject,
};

/** OpenAPI schemas of the ingest endpoints: one event is any branch of the discriminated `EventInput`. */
export const EVENT_INPUT_SCHEMA: ReferenceObject = { $ref: '#/components/schemas/EventInput' };

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
