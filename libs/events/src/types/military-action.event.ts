import { Type, type Static } from '@sinclair/typebox';
import { ShortText, TextList } from '../common.js';
import { defineEventType } from '../event-type.js';

export const MilitaryActionPayload = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('invasion'),
      Type.Literal('shelling'),
      Type.Literal('airstrike'),
      Type.Literal('missile-strike'),
      Type.Literal('ground-assault'),
      Type.Literal('other'),
    ]),
    targets: Type.Optional(TextList('what was hit or attacked, e.g. a kindergarten in Stanytsia Luhanska', 50)),
    axes: Type.Optional(TextList('directions of attack, e.g. from Belarus towards Kyiv', 20)),
    casualtiesKilled: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    casualtiesWounded: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    declaredAs: Type.Optional(ShortText('how the attacker named it, e.g. special military operation')),
  },
  { additionalProperties: false },
);
export type MilitaryActionPayload = Static<typeof MilitaryActionPayload>;

export const MILITARY_ACTION = defineEventType({
  type: 'military.action',
  version: 1,
  title: 'Military action',
  description: 'Use of conventional military force: shelling, strikes, an invasion.',
  cameo: { code: '190', name: 'Use conventional military force', goldstein: -10 },
  payload: MilitaryActionPayload,
  example: {
    kind: 'invasion',
    axes: ['from Belarus towards Kyiv', 'from Crimea', 'in the east'],
    declaredAs: 'special military operation',
  },
});
