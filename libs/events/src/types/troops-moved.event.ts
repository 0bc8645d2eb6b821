import { Type, type Static } from '@sinclair/typebox';
import { ActionStatus, ForceSizeFields, ShortText, TextList, checkForceSize } from '../common.js';
import { defineEventType } from '../event-type.js';

/** What the movement is: a build-up, an exercise (CAMEO 150), a pull-back, or an arrival for drills. */
export const TroopActivity = Type.Union(
  [Type.Literal('buildup'), Type.Literal('exercise'), Type.Literal('withdrawal'), Type.Literal('redeployment')],
  { description: 'exercise maps to CAMEO 150 (demonstrate military power); the others keep 154' },
);
export type TroopActivity = Static<typeof TroopActivity>;

export const TroopsMovedPayload = Type.Object(
  {
    status: ActionStatus,
    activity: TroopActivity,
    ...ForceSizeFields,
    units: Type.Optional(TextList('units or formations', 20)),
    from: Type.Optional(ShortText('origin, e.g. Russian Far East')),
    to: Type.Optional(ShortText('destination or area, e.g. Belarus, near the Ukrainian border')),
    equipment: Type.Optional(TextList('e.g. 60 combat aircraft, S-400 systems', 30)),
    estimatedBy: Type.Optional(ShortText('whose figure it is, e.g. Ukrainian defence intelligence')),
  },
  { additionalProperties: false },
);
export type TroopsMovedPayload = Static<typeof TroopsMovedPayload>;

export const TROOPS_MOVED = defineEventType({
  type: 'troops.moved',
  version: 1,
  title: 'Troops moved',
  description:
    'Forces massed, exercised, moved or pulled back. status says whether the move was only planned (considered), declared (announced) or observed (executed).',
  cameo: { code: '154', name: 'Mobilize or increase armed forces', goldstein: -7.2 },
  payload: TroopsMovedPayload,
  refine: checkForceSize,
  cameoFor: (p) => (p.activity === 'exercise' ? '150' : undefined),
  example: {
    status: 'executed',
    activity: 'buildup',
    forceSize: 92000,
    to: 'near the Ukrainian border',
    estimatedBy: 'Ukrainian defence intelligence',
  },
});
