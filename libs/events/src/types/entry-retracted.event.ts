import { Type, type Static } from '@sinclair/typebox';
import { defineEventType } from '../event-type.js';

export const EntryRetractedPayload = Type.Object(
  {
    targetEventId: Type.String({ format: 'uuid', description: 'eventId of the entry being withdrawn' }),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'public notice (Reuters: STORY WITHDRAWN)' }),
  },
  { additionalProperties: false },
);
export type EntryRetractedPayload = Static<typeof EntryRetractedPayload>;

export const ENTRY_RETRACTED = defineEventType({
  type: 'entry.retracted',
  version: 1,
  title: 'Entry retracted',
  description: 'A kill: the entry leaves the default timeline but stays in history as a tombstone.',
  cameo: null,
  payload: EntryRetractedPayload,
  meta: true,
  example: {
    targetEventId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01',
    reason: 'Withdrawn: the report could not be confirmed by a second source.',
  },
});
