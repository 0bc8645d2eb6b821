import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from '../common.js';
import { defineEventType } from '../event-type.js';
import { checkEntryIdList } from './entry-merged.event.js';

export const EntrySplitPayload = Type.Object(
  {
    survivorId: Type.String({ format: 'uuid', description: 'the survivor of an earlier entry.merged' }),
    splitIds: Type.Array(Type.String({ format: 'uuid' }), {
      minItems: 1,
      maxItems: LIMITS.mergedEntries,
      description: 'entries merged into the survivor that become entries of their own again',
    }),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'public note: why the merge was wrong' }),
  },
  { additionalProperties: false },
);
export type EntrySplitPayload = Static<typeof EntrySplitPayload>;

export const ENTRY_SPLIT = defineEventType({
  type: 'entry.split',
  version: 1,
  title: 'Entries split',
  description: 'Undoes (part of) an entry.merged: the named reports return to the timeline and leave the survivor.',
  cameo: null,
  payload: EntrySplitPayload,
  meta: true,
  refine: (p) => checkEntryIdList(p.survivorId, p.splitIds, 'splitIds'),
  example: {
    survivorId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01',
    splitIds: ['0b7e2c1a-3d4f-4a5b-8c6d-7e8f9a0b1c2d'],
    reason: 'The two reports describe different deployments.',
  },
});
