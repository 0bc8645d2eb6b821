import { Type, type Static } from '@sinclair/typebox';
import { CountryCode, ShortText } from '../common.js';
import { defineEventType } from '../event-type.js';

export const DiplomatExpelledPayload = Type.Object(
  {
    expellingCountry: CountryCode,
    diplomatCountry: CountryCode,
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'how many were expelled' })),
    position: Type.Optional(ShortText('e.g. deputy chief of mission')),
    person: Type.Optional(ShortText('name, when reported')),
    reason: Type.Optional(ShortText()),
  },
  { additionalProperties: false },
);
export type DiplomatExpelledPayload = Static<typeof DiplomatExpelledPayload>;

export const DIPLOMAT_EXPELLED = defineEventType({
  type: 'diplomat.expelled',
  version: 1,
  title: 'Diplomat expelled',
  description: 'A state expels one or more foreign diplomats.',
  cameo: { code: '174', name: 'Expel or deport individuals', goldstein: -5 },
  payload: DiplomatExpelledPayload,
  refine: (p) =>
    p.expellingCountry === p.diplomatCountry ? [{ path: '/diplomatCountry', message: 'must differ from expellingCountry' }] : [],
  example: {
    expellingCountry: 'RU',
    diplomatCountry: 'US',
    count: 1,
    position: 'deputy chief of mission',
    person: 'Bart Gorman',
  },
});
