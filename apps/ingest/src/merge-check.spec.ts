import type { PreparedEvent } from '@timeline/events';
import { mergeProblemsOf } from './event-ingestor.js';

const A = '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01';
const B = '0b7e2c1a-3d4f-4a5b-8c6d-7e8f9a0b1c2d';
const C = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

const merge = (storyId: string, survivorId: string, mergedIds: string[]) =>
  ({
    eventId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
    type: 'entry.merged',
    storyId,
    payload: { survivorId, mergedIds, reason: 'x' },
  }) as unknown as PreparedEvent;

describe('mergeProblemsOf (ingest, issue 14)', () => {
  const stored = new Map([
    [A, { storyId: 's1', type: 'readiness.raised' }],
    [B, { storyId: 's2', type: 'readiness.raised' }],
    [C, { storyId: 's1', type: 'entry.corrected' }],
  ]);
  const lookup = async (ids: string[]) => new Map(ids.flatMap((id) => (stored.has(id) ? [[id, stored.get(id)!] as const] : [])));

  it('names a stored entry of another story and a meta event id, field by field', async () => {
    expect(await mergeProblemsOf([merge('s1', A, [B, C])], undefined, lookup)).toEqual([
      expect.objectContaining({ path: '/payload/mergedIds/0', code: 'EVENT.MERGE_CROSS_STORY' }),
      expect.objectContaining({ path: '/payload/mergedIds/1', code: 'EVENT.MERGE_UNKNOWN_ENTRY' }),
    ]);
  });

  it('refuses an id the archive does not hold (a 202 would be a dead letter later), unless just published here or the archive cannot tell', async () => {
    const unknown = '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a';
    expect(await mergeProblemsOf([merge('s1', A, [unknown])], undefined, lookup)).toEqual([
      expect.objectContaining({ path: '/payload/mergedIds/0', code: 'EVENT.MERGE_UNKNOWN_ENTRY' }),
    ]);
    expect(await mergeProblemsOf([merge('s1', A, [unknown])], undefined, lookup, (id) => id === unknown)).toEqual([]);
    expect(await mergeProblemsOf([merge('s1', A, [unknown])], undefined, async () => undefined)).toEqual([]);
  });

  it('passes same-story merges; batch paths are prefixed', async () => {
    expect(await mergeProblemsOf([merge('s2', A, [B])], '/events', lookup)).toEqual([
      expect.objectContaining({ path: '/events/0/payload/survivorId', code: 'EVENT.MERGE_CROSS_STORY' }),
    ]);
  });

  it('sees the events of the same request too', async () => {
    const report = { eventId: unknownId(), type: 'readiness.raised', storyId: 's9', payload: {} } as unknown as PreparedEvent;
    expect(await mergeProblemsOf([report, merge('s1', A, [report.eventId])], '', lookup)).toEqual([
      expect.objectContaining({ path: '/1/payload/mergedIds/0', code: 'EVENT.MERGE_CROSS_STORY' }),
    ]);
  });
});

function unknownId(): string {
  return '3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b';
}
