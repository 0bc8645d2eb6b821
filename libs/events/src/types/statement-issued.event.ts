import { Type, type Static } from '@sinclair/typebox';
import { languageTag } from '../common.js';
import { defineEventType } from '../event-type.js';

export const StatementIssuedPayload = Type.Object(
  {
    speaker: Type.Optional(Type.String({ maxLength: 200 })),
    quote: Type.Optional(Type.String({ maxLength: 2000, description: 'verbatim words, in the source language or translation' })),
    quoteLanguage: Type.Optional(languageTag('language of quote (BCP 47): a quote keeps the words it was said in')),
    topic: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type StatementIssuedPayload = Static<typeof StatementIssuedPayload>;

export const STATEMENT_ISSUED = defineEventType({
  type: 'statement.issued',
  version: 1,
  title: 'Statement issued',
  description: 'A public statement without a more specific kind.',
  cameo: { code: '010', name: 'Make statement', goldstein: 0 },
  payload: StatementIssuedPayload,
  example: {
    speaker: 'Jens Stoltenberg',
    topic: 'NATO posture in Eastern Europe',
    quote: 'NATO will take all necessary measures to protect and defend all allies.',
  },
});
