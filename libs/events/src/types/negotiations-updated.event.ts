import { Type, type Static } from '@sinclair/typebox';
import { languageTag, LongText, ShortText, TextList } from '../common.js';
import { defineEventType } from '../event-type.js';

/** Where a negotiation stands after this event. */
export const NegotiationStatus = Type.Union(
  [
    Type.Literal('proposed'),
    Type.Literal('responded'),
    Type.Literal('ongoing'),
    Type.Literal('stalled'),
    Type.Literal('completed'),
    Type.Literal('broken-off'),
  ],
  {
    description:
      'proposed = a draft or offer tabled; responded = a written or formal reply given; ongoing = rounds continue; stalled = declared deadlocked; completed = a stage closed; broken-off = abandoned',
  },
);
export type NegotiationStatus = Static<typeof NegotiationStatus>;

export const NegotiationsUpdatedPayload = Type.Object(
  {
    track: ShortText('which negotiation, e.g. security guarantees'),
    status: NegotiationStatus,
    parties: Type.Optional(TextList('negotiating parties', 30)),
    documents: Type.Optional(TextList('documents tabled or answered, e.g. draft treaty with the United States', 20)),
    speaker: Type.Optional(ShortText()),
    quote: Type.Optional(LongText()),
    quoteLanguage: Type.Optional(languageTag('language of quote (BCP 47): a quote keeps the words it was said in')),
  },
  { additionalProperties: false },
);
export type NegotiationsUpdatedPayload = Static<typeof NegotiationsUpdatedPayload>;

export const NEGOTIATIONS_UPDATED = defineEventType({
  type: 'negotiations.updated',
  version: 1,
  title: 'Negotiations updated',
  description: 'A negotiation moves: a proposal tabled, a reply given, a round held, a deadlock declared.',
  cameo: { code: '046', name: 'Engage in negotiation', goldstein: 7 },
  payload: NegotiationsUpdatedPayload,
  example: {
    track: 'security guarantees',
    status: 'proposed',
    parties: ['Russia', 'United States', 'NATO'],
    documents: ['draft treaty with the United States', 'draft agreement with NATO'],
  },
});
