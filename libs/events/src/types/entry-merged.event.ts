import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from '../common.js';
import { defineEventType } from '../event-type.js';

/** Issues of a survivor + id list (distinct ids, the survivor not among them), paths relative to the payload. */
export function checkEntryIdList(survivorId: string, ids: readonly string[], field: string): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    const key = id.toLowerCase();
    if (key === survivorId.toLowerCase()) issues.push({ path: `/${field}/${i}`, message: 'must not be the survivorId' });
    else if (seen.has(key)) issues.push({ path: `/${field}/${i}`, message: `repeats ${id}` });
    seen.add(key);
  });
  return issues;
}

export const EntryMergedPayload = Type.Object(
  {
    survivorId: Type.String({ format: 'uuid', description: 'the entry that stays in the timeline (the eventId that created it)' }),
    mergedIds: Type.Array(Type.String({ format: 'uuid' }), {
      minItems: 1,
      maxItems: LIMITS.mergedEntries,
      description: 'entries that are reports of the same real-world event; they leave the default timeline',
    }),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'public note: why these reports are one event' }),
  },
  { additionalProperties: false },
);
export type EntryMergedPayload = Static<typeof EntryMergedPayload>;

export const ENTRY_MERGED = defineEventType({
  type: 'entry.merged',
  version: 1,
  title: 'Entries merged',
  description:
    'Several reports of one real-world event become one entry: the survivor accumulates their sources, actors and places; the merged entries stay addressable with mergedInto. Reversible with entry.split.',
  cameo: null,
  payload: EntryMergedPayload,
  meta: true,
  refine: (p) => checkEntryIdList(p.survivorId, p.mergedIds, 'mergedIds'),
  example: {
    survivorId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01',
    mergedIds: ['0b7e2c1a-3d4f-4a5b-8c6d-7e8f9a0b1c2d'],
    reason: 'Same announcement, reported by AFP and Reuters.',
  },
});
