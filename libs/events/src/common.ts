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
  /** Events in one ingest batch request (`POST /v1/events/batch`) or one Kafka send. */
  batchEvents: 1000,
  /** Translations of the summary one event carries. */
  translations: 10,
  /** Claim relations (`relatesTo`) one event carries. */
  relations: 20,
  /** Entries one `entry.merged` / `entry.split` names besides the survivor. */
  mergedEntries: 50,
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

/** A BCP 47 language tag, e.g. `uk`, `ru`, `en`, `en-GB` (language subtag lower case). */
export const languageTag = (description = 'BCP 47 language tag, e.g. uk, ru, en') =>
  Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$', maxLength: 35, description });
export const LanguageTag = languageTag();
export type LanguageTag = Static<typeof LanguageTag>;

/** Who made a text: an editor, or a machine (`machine:<engine>`, e.g. `machine:deepl`, `machine:franc-min@6.2.0`). */
export const Attribution = Type.String({
  pattern: '^(editor|machine:[A-Za-z0-9][A-Za-z0-9._@/+-]{0,79})$',
  description: '"editor" or "machine:<engine>"',
});

/** A translation of the summary; the original stays in `summary` (and quotes are never translated in place). */
export const Translation = Type.Object(
  {
    lang: LanguageTag,
    text: Type.String({ minLength: 1, maxLength: 500 }),
    by: Attribution,
    at: DateTime,
  },
  { additionalProperties: false },
);
export type Translation = Static<typeof Translation>;

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

/**
 * Who an outlet is to the story (issue 14): `primary` = the actor's own channel, `party` = a party to
 * the conflict or its state media (kremlin.ru, TASS, Ukraine's MoD), `media` = independent press.
 * Left out: a `primary` source counts as primary, any other as media.
 */
export const OutletKind = Type.Union([Type.Literal('primary'), Type.Literal('party'), Type.Literal('media')], {
  description: 'primary (the actor itself), party (a party to the conflict or its state media) or media; default from role',
});
export type OutletKind = Static<typeof OutletKind>;

/** Claim relations between entries (issue 14). */
export const RELATIONS = ['denies', 'contradicts', 'confirms', 'respondsTo'] as const;
export const Relation = Type.Union(
  RELATIONS.map((r) => Type.Literal(r)),
  { description: 'how this entry relates to the other: denies, contradicts, confirms or respondsTo' },
);
export type Relation = Static<typeof Relation>;

/** A link from an event to an earlier (or later-arriving) entry. */
export const RelatesTo = Type.Object(
  {
    entryId: Type.String({ format: 'uuid', description: 'the related entry (the eventId that created it)' }),
    relation: Relation,
  },
  { additionalProperties: false },
);
export type RelatesTo = Static<typeof RelatesTo>;

/** Provenance. `primary` = the actor's own channel, `quoted` = someone quoted, `reporting` = a news report. */
export const Source = Type.Object(
  {
    role: Type.Union([Type.Literal('primary'), Type.Literal('quoted'), Type.Literal('reporting')]),
    outlet: Type.String({ minLength: 1, maxLength: 200 }),
    url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
    title: Type.Optional(Type.String({ maxLength: 500 })),
    quotedPerson: Type.Optional(Type.String({ maxLength: 200 })),
    language: Type.Optional(languageTag('language the source publishes in (BCP 47)')),
    publishedAt: Type.Optional(DateTime),
    firstSeenAt: Type.Optional(DateTime),
    originOutlet: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'the outlet that originated a syndicated copy, e.g. "AFP" for an AFP story published by "A News"',
      }),
    ),
    via: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the republisher a copy was seen through' })),
    outletKind: Type.Optional(OutletKind),
  },
  { additionalProperties: false },
);
export type Source = Static<typeof Source>;

/** Announcement lifecycle: CAMEO cannot tell a considered deployment from an executed one; we can. */
export const ActionStatus = Type.Union([Type.Literal('considered'), Type.Literal('announced'), Type.Literal('executed')]);
export type ActionStatus = Static<typeof ActionStatus>;

/** A short free-text field of a payload (names, units, places): one line, never a document. */
export const ShortText = (description?: string) => Type.String({ minLength: 1, maxLength: 300, ...(description ? { description } : {}) });

/** A longer free-text field of a payload (a quote, a stated reason). */
export const LongText = (description?: string) => Type.String({ minLength: 1, maxLength: 2000, ...(description ? { description } : {}) });

/** A head count of troops or personnel. */
export const Headcount = (description?: string) =>
  Type.Integer({ minimum: 0, maximum: 10_000_000, ...(description ? { description } : {}) });

/**
 * Force-size fields shared by deployment and troop payloads: an exact figure when one was reported,
 * otherwise a range ("1,000 to 5,000"). Never both invent a figure and a range.
 */
export const ForceSizeFields = {
  forceSize: Type.Optional(Headcount('personnel, when one figure was reported')),
  forceSizeMin: Type.Optional(Headcount('lower bound when a range was reported')),
  forceSizeMax: Type.Optional(Headcount('upper bound when a range was reported')),
};

/** Cross-field rule of {@link ForceSizeFields}: a range is ordered and not mixed with an exact figure. */
export function checkForceSize(p: {
  forceSize?: number;
  forceSizeMin?: number;
  forceSizeMax?: number;
}): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (p.forceSizeMin !== undefined && p.forceSizeMax !== undefined && p.forceSizeMin > p.forceSizeMax) {
    issues.push({ path: '/forceSizeMax', message: 'must not be less than forceSizeMin' });
  }
  if (p.forceSize !== undefined && (p.forceSizeMin !== undefined || p.forceSizeMax !== undefined)) {
    issues.push({ path: '/forceSize', message: 'give either forceSize or a forceSizeMin/forceSizeMax range, not both' });
  }
  return issues;
}

/** A list of ISO country codes, e.g. where forces go. */
export const CountryList = (description?: string) =>
  Type.Array(CountryCode, { maxItems: 50, uniqueItems: true, ...(description ? { description } : {}) });

/** A list of short texts (units, measures, targets). */
export const TextList = (description?: string, maxItems = 50) =>
  Type.Array(ShortText(), { maxItems, ...(description ? { description } : {}) });
