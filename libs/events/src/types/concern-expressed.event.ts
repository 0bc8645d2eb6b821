import { Type, type Static } from '@sinclair/typebox';
import { languageTag, LongText, ShortText } from '../common.js';
import { defineEventType } from '../event-type.js';

export const ConcernExpressedPayload = Type.Object(
  {
    about: ShortText('what causes the concern, e.g. US troops on heightened alert'),
    speaker: Type.Optional(ShortText()),
    quote: Type.Optional(LongText('verbatim words, in the source language or translation')),
    quoteLanguage: Type.Optional(languageTag('language of quote (BCP 47): a quote keeps the words it was said in')),
    strength: Type.Optional(
      Type.Union([Type.Literal('concern'), Type.Literal('denunciation')], {
        description: 'concern = CAMEO 012 (pessimistic comment); denunciation = CAMEO 111 (criticize or denounce)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ConcernExpressedPayload = Static<typeof ConcernExpressedPayload>;

export const CONCERN_EXPRESSED = defineEventType({
  type: 'concern.expressed',
  version: 1,
  title: 'Concern expressed',
  description: "An actor voices worry about, or denounces, another actor's conduct.",
  cameo: { code: '012', name: 'Make pessimistic comment', goldstein: -0.4 },
  payload: ConcernExpressedPayload,
  cameoFor: (p) => (p.strength === 'denunciation' ? '111' : undefined),
  example: {
    about: 'US troops placed on heightened alert',
    speaker: 'Dmitry Peskov',
    quote: 'We are watching these US actions with great concern.',
    strength: 'concern',
  },
});
