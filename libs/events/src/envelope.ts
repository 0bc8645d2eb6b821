import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Actor, DateTime, LIMITS, Location, Precision, RelatesTo, Slug, Source, Translation, Uuid, languageTag } from './common.js';

/** Fields every event carries, whatever its type (the contract on `timeline.events`). */
export const EnvelopeFields = {
  eventId: Uuid,
  type: Type.String({ pattern: '^[a-z]+(\\.[a-z]+)+$', description: 'dotted, past tense, e.g. denial.issued' }),
  schemaVersion: Type.Integer({ minimum: 1, maximum: 1000 }),
  occurredAt: DateTime,
  occurredAtPrecision: Precision,
  occurredUntil: Type.Optional(DateTime),
  occurredTz: Type.Optional(
    Type.String({ pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$', maxLength: 64, description: 'IANA zone the date was reported in' }),
  ),
  recordedAt: DateTime,
  storyId: Slug,
  actors: Type.Array(Actor, { maxItems: LIMITS.actors }),
  locations: Type.Array(Location, { maxItems: LIMITS.locations }),
  sources: Type.Array(Source, { maxItems: LIMITS.sources }),
  tags: Type.Array(Slug, { maxItems: LIMITS.tags, uniqueItems: true }),
  confirmation: Type.Union([Type.Literal('confirmed'), Type.Literal('reported')]),
  summary: Type.String({ minLength: 1, maxLength: LIMITS.summaryChars }),
  language: Type.Optional(languageTag('BCP 47 language of summary (uk, ru, en); left out, ingest detects it and sets languageDetectedBy')),
  languageDetectedBy: Type.Optional(
    Type.String({
      pattern: '^machine:[A-Za-z0-9][A-Za-z0-9._@/+-]{0,79}$',
      description: 'set when language was detected, not stated by the producer: the detector, machine:<engine>',
    }),
  ),
  translations: Type.Optional(
    Type.Array(Translation, { maxItems: LIMITS.translations, description: 'the summary in other languages, each marked with who made it' }),
  ),
  relatesTo: Type.Optional(
    Type.Array(RelatesTo, {
      maxItems: LIMITS.relations,
      description: 'claims this event relates to, e.g. the report a denial.issued denies (issue 14)',
    }),
  ),
  cameoCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,4}$', description: 'overrides the type default CAMEO code' })),
  correlationId: Type.Optional(Uuid),
  causationId: Type.Optional(Uuid),
};

/** The envelope with an untyped payload: step one of decoding, before the type is known. */
export const RawEnvelopeSchema = Type.Object(
  { ...EnvelopeFields, payload: Type.Object({}, { additionalProperties: true }) },
  { additionalProperties: false, $id: 'urn:timeline:envelope' },
);
export type RawEnvelope = Static<typeof RawEnvelopeSchema>;

/** The envelope schema of one event type and version (payload schema plugged in). */
export function envelopeSchemaFor(type: string, version: number, payload: TSchema): TSchema {
  return Type.Object(
    {
      ...EnvelopeFields,
      type: Type.Literal(type),
      schemaVersion: Type.Literal(version),
      payload,
    },
    { additionalProperties: false, $id: `urn:timeline:event:${type}:v${version}`, title: `${type} v${version}` },
  );
}

/** A decoded event of a given type and payload, upcast to the current version. */
export interface EventEnvelope<TType extends string = string, TPayload = Record<string, unknown>> extends Omit<
  RawEnvelope,
  'type' | 'payload'
> {
  readonly type: TType;
  readonly payload: TPayload;
}
