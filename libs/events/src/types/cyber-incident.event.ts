import { Type, type Static } from '@sinclair/typebox';
import { ShortText, TextList } from '../common.js';
import { defineEventType } from '../event-type.js';

export const CyberIncidentPayload = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('defacement'),
      Type.Literal('ddos'),
      Type.Literal('wiper'),
      Type.Literal('intrusion'),
      Type.Literal('other'),
    ]),
    targets: Type.Optional(TextList('e.g. Ministry of Foreign Affairs website, PrivatBank', 100)),
    targetCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'systems or sites hit, when counted' })),
    attribution: Type.Optional(
      Type.Union([Type.Literal('unattributed'), Type.Literal('suspected'), Type.Literal('claimed'), Type.Literal('attributed')], {
        description: 'how firmly someone is blamed; attributed = a government formally named the perpetrator',
      }),
    ),
    attributedTo: Type.Optional(ShortText()),
  },
  { additionalProperties: false },
);
export type CyberIncidentPayload = Static<typeof CyberIncidentPayload>;

export const CYBER_INCIDENT = defineEventType({
  type: 'cyber.incident',
  version: 1,
  title: 'Cyber incident',
  description: 'A cyber attack: defacement, denial of service, wiper malware, intrusion.',
  cameo: { code: '176', name: 'Attack cybernetically', goldstein: null },
  payload: CyberIncidentPayload,
  refine: (p) =>
    p.attributedTo !== undefined && p.attribution === 'unattributed'
      ? [{ path: '/attributedTo', message: 'must be absent when attribution is "unattributed"' }]
      : [],
  example: {
    kind: 'defacement',
    targetCount: 70,
    targets: ['Ministry of Foreign Affairs website', 'Cabinet of Ministers website'],
    attribution: 'suspected',
  },
});
