import { Type, type Static } from '@sinclair/typebox';
import { ShortText, TextList } from '../common.js';
import { defineEventType } from '../event-type.js';

export const RecognitionDeclaredPayload = Type.Object(
  {
    recognised: Type.Array(ShortText(), {
      minItems: 1,
      maxItems: 20,
      description: "entities recognised, e.g. Donetsk People's Republic",
    }),
    instrument: Type.Optional(ShortText('the act, e.g. presidential decree')),
    accompanyingMeasures: Type.Optional(TextList('e.g. friendship treaties, order to deploy forces', 20)),
  },
  { additionalProperties: false },
);
export type RecognitionDeclaredPayload = Static<typeof RecognitionDeclaredPayload>;

export const RECOGNITION_DECLARED = defineEventType({
  type: 'recognition.declared',
  version: 1,
  title: 'Recognition declared',
  description: 'A state grants diplomatic recognition, e.g. to a breakaway region.',
  cameo: { code: '054', name: 'Grant diplomatic recognition', goldstein: 6 },
  payload: RecognitionDeclaredPayload,
  example: {
    recognised: ["Donetsk People's Republic", "Luhansk People's Republic"],
    instrument: 'presidential decrees',
  },
});
