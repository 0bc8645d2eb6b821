import { Type, type Static } from '@sinclair/typebox';
import { Actor, DateTime, LIMITS, Location, Precision, Source, Translation, languageTag } from '../common.js';
import { defineEventType } from '../event-type.js';

/** The fields of the earlier entry a correction replaces (only those given change). */
export const CorrectedFields = Type.Object(
  {
    summary: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    language: Type.Optional(languageTag('language of the (corrected) summary; left out, the entry keeps its language')),
    translations: Type.Optional(Type.Array(Translation, { maxItems: LIMITS.translations, description: 'replaces all translations' })),
    occurredAt: Type.Optional(DateTime),
    occurredAtPrecision: Type.Optional(Precision),
    occurredUntil: Type.Optional(DateTime),
    actors: Type.Optional(Type.Array(Actor, { maxItems: 50 })),
    locations: Type.Optional(Type.Array(Location, { maxItems: 50 })),
    sources: Type.Optional(Type.Array(Source, { maxItems: 20 })),
    tags: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,79}$' }), { maxItems: 30 })),
    confirmation: Type.Optional(Type.Union([Type.Literal('confirmed'), Type.Literal('reported')])),
    payload: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const EntryCorrectedPayload = Type.Object(
  {
    targetEventId: Type.String({ format: 'uuid', description: 'eventId of the entry being corrected' }),
    severity: Type.Union([Type.Literal('substantive'), Type.Literal('minor')], { description: 'Reuters CORRECTED vs REFILE' }),
    note: Type.String({ minLength: 1, maxLength: 1000, description: 'public correction notice, plainly labelled' }),
    replaces: CorrectedFields,
  },
  { additionalProperties: false },
);
export type EntryCorrectedPayload = Static<typeof EntryCorrectedPayload>;

export const ENTRY_CORRECTED = defineEventType({
  type: 'entry.corrected',
  version: 1,
  title: 'Entry corrected',
  description: 'A correction of an earlier entry; the earlier version stays visible in its history.',
  cameo: null,
  payload: EntryCorrectedPayload,
  meta: true,
  example: {
    targetEventId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01',
    severity: 'substantive',
    note: 'Correction: the Stryker squadron belongs to the 2nd Cavalry Regiment, not the 82nd Airborne Division.',
    replaces: { summary: 'A Stryker squadron of the 2nd Cavalry Regiment moves from Germany to Romania.' },
  },
});
