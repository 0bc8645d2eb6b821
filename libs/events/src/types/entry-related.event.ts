import { Type, type Static } from '@sinclair/typebox';
import { Relation } from '../common.js';
import { defineEventType } from '../event-type.js';

export const EntryRelatedPayload = Type.Object(
  {
    fromId: Type.String({ format: 'uuid', description: 'the entry making the claim (e.g. the denial)' }),
    toId: Type.String({ format: 'uuid', description: 'the entry it relates to (may arrive later)' }),
    relation: Relation,
    withdrawn: Type.Optional(
      Type.Boolean({ description: 'true removes an earlier link of this relation between the two', default: false }),
    ),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'public note on why the link is made or withdrawn' }),
  },
  { additionalProperties: false },
);
export type EntryRelatedPayload = Static<typeof EntryRelatedPayload>;

export const ENTRY_RELATED = defineEventType({
  type: 'entry.related',
  version: 1,
  title: 'Entries related',
  description: 'A claim relation (denies, contradicts, confirms, respondsTo) added to an entry after the fact, or withdrawn.',
  cameo: null,
  payload: EntryRelatedPayload,
  meta: true,
  refine: (p) => (p.fromId.toLowerCase() === p.toId.toLowerCase() ? [{ path: '/toId', message: 'must not be fromId' }] : []),
  example: {
    fromId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01',
    toId: '0b7e2c1a-3d4f-4a5b-8c6d-7e8f9a0b1c2d',
    relation: 'denies',
    reason: 'The Kremlin statement answers the Reuters report.',
  },
});
