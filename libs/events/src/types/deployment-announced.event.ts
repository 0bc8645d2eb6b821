import { Type, type Static } from '@sinclair/typebox';
import { CountryList, ForceSizeFields, ShortText, TextList, checkForceSize } from '../common.js';
import { defineEventType } from '../event-type.js';

/** Equipment sent with (or instead of) troops: "a frigate", "four F-16 jets". */
export const DeployedAsset = Type.Object(
  {
    kind: ShortText('e.g. frigate, F-16 fighter jets, F-35 fighter jets'),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
export type DeployedAsset = Static<typeof DeployedAsset>;

export const DeploymentAnnouncedPayload = Type.Object(
  {
    status: Type.Union([Type.Literal('announced'), Type.Literal('executed')], {
      description: 'announced = decided and made public; executed = forces reported on the move or arrived',
    }),
    ...ForceSizeFields,
    units: Type.Optional(TextList('units or formations, e.g. 82nd Airborne Division', 20)),
    origin: Type.Optional(ShortText('where the forces come from, e.g. Fort Bragg, Germany')),
    destinations: Type.Optional(CountryList('destination countries')),
    assets: Type.Optional(Type.Array(DeployedAsset, { maxItems: 50 })),
    mission: Type.Optional(ShortText('stated purpose, e.g. reinforce NATO eastern flank')),
  },
  { additionalProperties: false },
);
export type DeploymentAnnouncedPayload = Static<typeof DeploymentAnnouncedPayload>;

export const DEPLOYMENT_ANNOUNCED = defineEventType({
  type: 'deployment.announced',
  version: 1,
  title: 'Deployment announced',
  description: 'A government or alliance announces (or carries out) sending forces or equipment somewhere.',
  cameo: { code: '154', name: 'Mobilize or increase armed forces', goldstein: -7.2 },
  payload: DeploymentAnnouncedPayload,
  refine: checkForceSize,
  example: {
    status: 'announced',
    forceSize: 2000,
    origin: 'Fort Bragg, North Carolina',
    destinations: ['PL', 'DE'],
    units: ['82nd Airborne Division', 'XVIII Airborne Corps'],
    mission: 'reassure NATO allies on the eastern flank',
  },
});
