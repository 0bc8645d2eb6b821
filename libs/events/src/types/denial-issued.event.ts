import { Type, type Static } from '@sinclair/typebox';
import { languageTag, LongText, ShortText } from '../common.js';
import { defineEventType } from '../event-type.js';

export const DenialIssuedPayload = Type.Object(
  {
    denies: ShortText('what is denied, e.g. plans to invade Ukraine'),
    speaker: Type.Optional(ShortText()),
    quote: Type.Optional(LongText('verbatim words, in the source language or translation')),
    quoteLanguage: Type.Optional(languageTag('language of quote (BCP 47): a quote keeps the words it was said in')),
    counterClaim: Type.Optional(ShortText('what the denier says instead, e.g. troop moves are an internal affair')),
  },
  { additionalProperties: false },
);
export type DenialIssuedPayload = Static<typeof DenialIssuedPayload>;

export const DENIAL_ISSUED = defineEventType({
  type: 'denial.issued',
  version: 1,
  title: 'Denial issued',
  description: 'An actor denies an accusation or a reported plan (CAMEO 016 is imperfect for "denies plans to invade").',
  cameo: { code: '016', name: 'Deny responsibility', goldstein: -2 },
  payload: DenialIssuedPayload,
  example: {
    denies: 'preparing an invasion of Ukraine',
    speaker: 'Dmitry Peskov',
    counterClaim: 'troop movements on Russian territory are an internal affair',
  },
});
