import { Type, type Static } from '@sinclair/typebox';
import { defineEventType } from '../event-type.js';

/** v1 (first dataset draft): a single free-text notice. Kept to read old messages. */
export const ReadinessRaisedPayloadV1 = Type.Object(
  {
    forceSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    unit: Type.Optional(Type.String({ maxLength: 300 })),
    readinessLevel: Type.Optional(Type.String({ maxLength: 100 })),
    noticePeriod: Type.Optional(Type.String({ maxLength: 100, description: 'e.g. "5 days"' })),
  },
  { additionalProperties: false },
);
export type ReadinessRaisedPayloadV1 = Static<typeof ReadinessRaisedPayloadV1>;

/** v2: the notice period as numbers before/after the change (the seed article: ten → five days). */
export const ReadinessRaisedPayload = Type.Object(
  {
    forceSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'personnel affected' })),
    unit: Type.Optional(Type.String({ maxLength: 300, description: 'unit or force, e.g. NATO Response Force' })),
    readinessLevel: Type.Optional(Type.String({ maxLength: 100, description: 'e.g. heightened alert, prepare to deploy' })),
    noticePeriodDaysBefore: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    noticePeriodDaysAfter: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
  },
  { additionalProperties: false },
);
export type ReadinessRaisedPayload = Static<typeof ReadinessRaisedPayload>;

/** v1 → v2: parse "N days" into `noticePeriodDaysAfter`; an unparseable text is dropped, not guessed. */
export function upcastReadinessRaisedV1(p: ReadinessRaisedPayloadV1): ReadinessRaisedPayload {
  const { noticePeriod, ...rest } = p;
  const days = noticePeriod ? /^\s*(\d{1,3})\s*days?\s*$/i.exec(noticePeriod) : null;
  return { ...rest, ...(days ? { noticePeriodDaysAfter: Number(days[1]) } : {}) };
}

export const READINESS_RAISED = defineEventType({
  type: 'readiness.raised',
  version: 2,
  title: 'Readiness raised',
  description: 'Forces put on heightened alert or shorter notice to deploy.',
  cameo: { code: '152', name: 'Increase military alert status', goldstein: -7.2 },
  payload: ReadinessRaisedPayload,
  previous: [
    {
      version: 1,
      payload: ReadinessRaisedPayloadV1,
      upcast: (p) => upcastReadinessRaisedV1(p as ReadinessRaisedPayloadV1),
    },
  ],
  example: {
    forceSize: 8500,
    unit: 'NATO Response Force contributions',
    readinessLevel: 'heightened alert',
    noticePeriodDaysBefore: 10,
    noticePeriodDaysAfter: 5,
  },
});
