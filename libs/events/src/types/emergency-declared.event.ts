import { Type, type Static } from '@sinclair/typebox';
import { ShortText } from '../common.js';
import { defineEventType } from '../event-type.js';

export const EmergencyDeclaredPayload = Type.Object(
  {
    kind: Type.Union([Type.Literal('state-of-emergency'), Type.Literal('martial-law')]),
    durationDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    scope: Type.Optional(ShortText('where it applies, e.g. nationwide except Donetsk and Luhansk regions')),
    approvedBy: Type.Optional(ShortText('e.g. Verkhovna Rada')),
  },
  { additionalProperties: false },
);
export type EmergencyDeclaredPayload = Static<typeof EmergencyDeclaredPayload>;

export const EMERGENCY_DECLARED = defineEventType({
  type: 'emergency.declared',
  version: 1,
  title: 'Emergency declared',
  description: 'A state of emergency or martial law is imposed.',
  cameo: { code: '1724', name: 'Impose state of emergency or martial law', goldstein: null },
  payload: EmergencyDeclaredPayload,
  example: {
    kind: 'state-of-emergency',
    durationDays: 30,
    approvedBy: 'Verkhovna Rada',
  },
});
