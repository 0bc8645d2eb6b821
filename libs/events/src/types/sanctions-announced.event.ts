import { Type, type Static } from '@sinclair/typebox';
import { ShortText, TextList } from '../common.js';
import { defineEventType } from '../event-type.js';

export const SanctionsAnnouncedPayload = Type.Object(
  {
    status: Type.Union([Type.Literal('threatened'), Type.Literal('imposed')], {
      description: 'threatened = CAMEO 1312 (threaten with sanctions); imposed = CAMEO 163',
    }),
    measures: Type.Optional(TextList('e.g. halt of Nord Stream 2 certification, sovereign debt ban', 50)),
    targets: Type.Optional(TextList('who is sanctioned: people, banks, sectors', 100)),
    trigger: Type.Optional(ShortText('what would (or did) trigger them, e.g. a further invasion of Ukraine')),
  },
  { additionalProperties: false },
);
export type SanctionsAnnouncedPayload = Static<typeof SanctionsAnnouncedPayload>;

export const SANCTIONS_ANNOUNCED = defineEventType({
  type: 'sanctions.announced',
  version: 1,
  title: 'Sanctions announced',
  description: 'Sanctions threatened or imposed.',
  cameo: { code: '163', name: 'Impose embargo, boycott or sanctions', goldstein: -8 },
  payload: SanctionsAnnouncedPayload,
  cameoFor: (p) => (p.status === 'threatened' ? '1312' : undefined),
  example: {
    status: 'imposed',
    measures: ['halt of Nord Stream 2 certification'],
    trigger: 'recognition of the DPR and LPR',
  },
});
