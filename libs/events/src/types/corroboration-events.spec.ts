import { eventCatalogue } from '../index.js';

const A = '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01';
const B = '0b7e2c1a-3d4f-4a5b-8c6d-7e8f9a0b1c2d';
const C = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

function envelope(type: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
    type,
    schemaVersion: 1,
    occurredAt: '2022-01-24T00:00:00Z',
    occurredAtPrecision: 'day',
    recordedAt: '2022-01-24T18:00:00Z',
    storyId: 'russia-ukraine-2022',
    actors: [],
    locations: [],
    sources: [],
    tags: [],
    confirmation: 'confirmed',
    summary: 'Meta event',
    payload,
    ...extra,
  };
}

const issues = (r: ReturnType<typeof eventCatalogue.decode>) => (r.ok ? [] : r.issues.map((i) => i.path));

describe('entry.merged', () => {
  it('accepts a survivor with distinct merged ids', () => {
    expect(eventCatalogue.decode(envelope('entry.merged', { survivorId: A, mergedIds: [B, C], reason: 'same event' })).ok).toBe(true);
  });
  it.each([
    ['no merged ids', { survivorId: A, mergedIds: [], reason: 'x' }, '/payload/mergedIds'],
    ['the survivor among them', { survivorId: A, mergedIds: [B, A.toUpperCase()], reason: 'x' }, '/payload/mergedIds/1'],
    ['a repeated id', { survivorId: A, mergedIds: [B, C, B], reason: 'x' }, '/payload/mergedIds/2'],
    ['a non-uuid', { survivorId: A, mergedIds: ['nope'], reason: 'x' }, '/payload/mergedIds/0'],
    ['no reason', { survivorId: A, mergedIds: [B] }, '/payload/reason'],
    ['51 ids', { survivorId: A, mergedIds: Array.from({ length: 51 }, () => B), reason: 'x' }, '/payload/mergedIds'],
  ])('refuses %s, naming the field', (_what, payload, path) => {
    const r = eventCatalogue.decode(envelope('entry.merged', payload));
    expect(r).toMatchObject({ ok: false, code: 'EVENT.INVALID_PAYLOAD' });
    expect(issues(r)).toContain(path);
  });
});

describe('entry.split', () => {
  it('accepts and refuses like entry.merged', () => {
    expect(eventCatalogue.decode(envelope('entry.split', { survivorId: A, splitIds: [B], reason: 'different events' })).ok).toBe(true);
    expect(issues(eventCatalogue.decode(envelope('entry.split', { survivorId: A, splitIds: [A], reason: 'x' })))).toEqual([
      '/payload/splitIds/0',
    ]);
  });
});

describe('entry.related', () => {
  it('accepts every relation, withdrawn or not', () => {
    for (const relation of ['denies', 'contradicts', 'confirms', 'respondsTo']) {
      expect(eventCatalogue.decode(envelope('entry.related', { fromId: A, toId: B, relation, reason: 'x' })).ok).toBe(true);
    }
    expect(
      eventCatalogue.decode(envelope('entry.related', { fromId: A, toId: B, relation: 'denies', withdrawn: true, reason: 'x' })).ok,
    ).toBe(true);
  });
  it('refuses a self-link and an unknown relation', () => {
    expect(issues(eventCatalogue.decode(envelope('entry.related', { fromId: A, toId: A, relation: 'denies', reason: 'x' })))).toEqual([
      '/payload/toId',
    ]);
    expect(issues(eventCatalogue.decode(envelope('entry.related', { fromId: A, toId: B, relation: 'refutes', reason: 'x' })))).toContain(
      '/payload/relation',
    );
  });
});

describe('relatesTo and the Source fields', () => {
  const denial = (extra: Record<string, unknown>) => envelope('denial.issued', { denies: 'preparing an invasion' }, extra);
  it('accepts relatesTo on any event and originOutlet/via/outletKind on sources', () => {
    const r = eventCatalogue.decode(
      denial({
        relatesTo: [{ entryId: B, relation: 'denies' }],
        sources: [
          { role: 'reporting', outlet: 'A News', originOutlet: 'AFP', via: 'A News', outletKind: 'media', url: 'https://a.example/1' },
        ],
      }),
    );
    expect(r.ok).toBe(true);
  });
  it('refuses more than 20 relations, a bad relation and a bad outletKind, naming the path', () => {
    const many = Array.from({ length: 21 }, () => ({ entryId: B, relation: 'denies' }));
    expect(issues(eventCatalogue.decode(denial({ relatesTo: many })))).toContain('/relatesTo');
    expect(issues(eventCatalogue.decode(denial({ relatesTo: [{ entryId: B, relation: 'refutes' }] })))).toContain('/relatesTo/0/relation');
    expect(
      issues(
        eventCatalogue.decode(denial({ sources: [{ role: 'reporting', outlet: 'X', url: 'https://x.example', outletKind: 'state' }] })),
      ),
    ).toContain('/sources/0/outletKind');
  });
});
