import { Type, type Static } from '@sinclair/typebox';

/** Limits that keep one event a timeline card, not a document (also bound Kafka message size). */
export const LIMITS = {
  summaryChars: 500,
  actors: 50,
  locations: 50,
  sources: 20,
  tags: 30,
  /** Serialized payload. */
  payloadBytes: 16 * 1024,
  /** Serialized envelope, payload included. */
  envelopeBytes: 64 * 1024,
} as const;

/** ISO 3166-1 alpha-2 country code (upper case), e.g. `UA`, `RU`, `US`; `XK`-style user codes allowed. */
export const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code' });

/** A stable identifier: lower-case slug. */
export const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,79}$', description: 'lower-case slug, e.g. us-dod' });

export const Uuid = Type.String({ format: 'uuid' });
export const DateTime = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp with offset, e.g. 2022-01-24T00:00:00Z' });

export const Precision = Type.Union([Type.Literal('day'), Type.Literal('hour'), Type.Literal('minute'), Type.Literal('second')], {
  description: 'how much of occurredAt was actually reported; a day-precision event never shows a time of day',
});
export type Precision = Static<typeof Precision>;

/** Who took part. `subject` acted, `target` was acted on (GDELT's Actor1/Actor2). */
export const Actor = Type.Object(
  {
    id: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    country: Type.Optional(CountryCode),
    role: Type.Union([Type.Literal('subject'), Type.Literal('target'), Type.Literal('spokesperson'), Type.Literal('reporter')]),
  },
  { additionalProperties: false },
);
export type Actor = Static<typeof Actor>;

/** Where. `geoPrecision` as ACLED: 1 town, 2 part of a region / near a town, 3 larger region or capital fallback. */
export const Location = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    country: CountryCode,
    admin1: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    geoPrecision: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)])),
  },
  { additionalProperties: false },
);
export type Location = Static<typeof Location>;

/** Provenance. `primary` = the actor's own channel, `quoted` = someone quoted, `reporting` = a news report. */
export const Source = Type.Object(
  {
    role: Type.Union([Type.Literal('primary'), Type.Literal('quoted'), Type.Literal('reporting')]),
    outlet: Type.String({ minLength: 1, maxLength: 200 }),
    url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
    title: Type.Optional(Type.String({ maxLength: 500 })),
    quotedPerson: Type.Optional(Type.String({ maxLength: 200 })),
    publishedAt: Type.Optional(DateTime),
    firstSeenAt: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);
export type Source = Static<typeof Source>;

/** Announcement lifecycle: CAMEO cannot tell a considered deployment from an executed one; we can. */
export const ActionStatus = Type.Union([Type.Literal('considered'), Type.Literal('announced'), Type.Literal('executed')]);
export type ActionStatus = Static<typeof ActionStatus>;
