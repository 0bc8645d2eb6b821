import { eventCatalogue } from './registry.js';
import { storableValueIssues } from './storable-text.js';

describe('storableValueIssues', () => {
  it('finds U+0000 in values and keys, anywhere, as JSON Pointers', () => {
    expect(storableValueIssues({ a: 'ok', b: ['x', 'y\u0000'], 'c/\u0000': 1, d: { e: '\u0000' } })).toEqual([
      { path: '/b/1', message: 'must not contain the NUL character (U+0000)' },
      { path: '/c~1\u0000', message: 'must not contain the NUL character (U+0000) in its name' },
      { path: '/d/e', message: 'must not contain the NUL character (U+0000)' },
    ]);
    expect(storableValueIssues({ a: 'fine', n: 1, z: null })).toEqual([]);
  });
});

describe('EventCatalogue.decode and NUL characters (PostgreSQL cannot store them)', () => {
  const valid = {
    eventId: '7d0f6f40-3c4e-4a57-9d3c-1f1b0e7d2a10',
    type: 'statement.issued',
    schemaVersion: 1,
    occurredAt: '2022-01-25T00:00:00Z',
    occurredAtPrecision: 'day',
    recordedAt: '2022-01-25T12:00:00Z',
    storyId: 'russia-ukraine-2022',
    actors: [],
    locations: [],
    sources: [],
    tags: [],
    confirmation: 'confirmed',
    summary: 'Kremlin voices great concern',
    payload: { speaker: 'Dmitry Peskov', quote: 'We are watching with great concern.' },
  };

  it('accepts the event without one', () => {
    expect(eventCatalogue.decode(valid).ok).toBe(true);
  });

  it('refuses one in the envelope or in the payload, naming the field', () => {
    expect(eventCatalogue.decode({ ...valid, summary: 'Kremlin\u0000' })).toMatchObject({
      ok: false,
      code: 'EVENT.INVALID_ENVELOPE',
      issues: [{ path: '/summary' }],
    });
    expect(eventCatalogue.decode({ ...valid, payload: { ...valid.payload, quote: '\u0000' } })).toMatchObject({
      ok: false,
      code: 'EVENT.INVALID_PAYLOAD',
      issues: [{ path: '/payload/quote' }],
    });
  });
});
