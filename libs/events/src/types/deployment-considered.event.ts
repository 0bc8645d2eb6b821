import { Type, type Static } from '@sinclair/typebox';
import { CountryList, ForceSizeFields, ShortText, TextList, checkForceSize } from '../common.js';
import { defineEventType } from '../event-type.js';

export const DeploymentConsideredPayload = Type.Object(
  {
    ...ForceSizeFields,
    decisionMaker: Type.Optional(ShortText('who weighs the option, e.g. President Biden')),
    destinations: Type.Optional(CountryList('destination countries under consideration')),
    destinationRegion: Type.Optional(ShortText('when no country was named, e.g. the Baltics and Eastern Europe')),
    units: Type.Optional(TextList('units or formations mentioned', 20)),
    escalationFactor: Type.Optional(
      Type.Number({ exclusiveMinimum: 1, maximum: 1000, description: 'reported possible multiplication, e.g. 10 for "ten times more"' }),
    ),
    options: Type.Optional(ShortText('the options on the table, in a phrase')),
  },
  { additionalProperties: false },
);
export type DeploymentConsideredPayload = Static<typeof DeploymentConsideredPayload>;

export const DEPLOYMENT_CONSIDERED = defineEventType({
  type: 'deployment.considered',
  version: 1,
  title: 'Deployment considered',
  description:
    'A deployment is being weighed but not decided. Kept apart from deployment.announced because CAMEO 154 cannot tell them apart.',
  cameo: { code: '154', name: 'Mobilize or increase armed forces', goldstein: -7.2 },
  payload: DeploymentConsideredPayload,
  refine: checkForceSize,
  example: {
    forceSizeMin: 1000,
    forceSizeMax: 5000,
    decisionMaker: 'President Biden',
    destinationRegion: 'the Baltic states and Eastern Europe',
    escalationFactor: 10,
  },
});
