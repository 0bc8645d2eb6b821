import type { SchemaObject } from '@nestjs/swagger';
import { LIMITS, ingestInputSchema } from '@timeline/events';

/** OpenAPI schemas of the ingest endpoints, generated from the event catalogue (one source of truth). */
export const EVENT_INPUT_SCHEMA = ingestInputSchema() as unknown as SchemaObject;

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

export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json)',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', example: 'EVENT.INVALID_PAYLOAD' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'every bad field; path is a JSON Pointer into the request body (batch: /events/3/payload/forceSize)',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
      },
    },
    retryAfterSeconds: { type: 'integer', description: '503 only; also sent as the Retry-After header' },
    eventIds: { type: 'array', items: { type: 'string', format: 'uuid' }, description: '503 only: resend with these ids' },
  },
};
