import { Type, type Static } from '@sinclair/typebox';
import { ShortText, TextList } from '../common.js';
import { defineEventType } from '../event-type.js';

/** How the contact happened; each maps to its CAMEO 04x code. */
export const TalksFormat = Type.Union(
  [Type.Literal('phone'), Type.Literal('video'), Type.Literal('visit'), Type.Literal('third-location')],
  {
    description:
      'phone = CAMEO 041; video = 040 (no closer code); visit = 042 (the subject travels to the target; the host is 043); third-location = 044',
  },
);
export type TalksFormat = Static<typeof TalksFormat>;

export const TalksHeldPayload = Type.Object(
  {
    format: TalksFormat,
    participants: Type.Optional(TextList('people taking part, e.g. Antony Blinken, Sergei Lavrov', 30)),
    venue: Type.Optional(ShortText('city or building, e.g. Geneva')),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
    topic: Type.Optional(ShortText()),
    outcome: Type.Optional(ShortText('what came out of it, in a phrase')),
  },
  { additionalProperties: false },
);
export type TalksHeldPayload = Static<typeof TalksHeldPayload>;

const CAMEO_BY_FORMAT: Record<TalksFormat, string | undefined> = {
  phone: '041',
  video: undefined,
  visit: '042',
  'third-location': '044',
};

export const TALKS_HELD = defineEventType({
  type: 'talks.held',
  version: 1,
  title: 'Talks held',
  description: 'A diplomatic contact took place: a call, a video call, a visit or a meeting at a third location.',
  cameo: { code: '040', name: 'Consult', goldstein: 1 },
  payload: TalksHeldPayload,
  cameoFor: (p) => CAMEO_BY_FORMAT[p.format],
  example: {
    format: 'video',
    participants: ['Joe Biden', 'Vladimir Putin'],
    durationMinutes: 120,
    topic: 'Russian forces near Ukraine',
  },
});
