import { eventCatalogue, type RawEnvelope } from './index.js';

function envelope(overrides: Partial<Record<keyof RawEnvelope, unknown>> = {}): Record<string, unknown> {
  return {
    eventId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01',
    type: 'readiness.raised',
    schemaVersion: 2,
    occurredAt: '2022-01-24T00:00:00Z',
    occurredAtPrecision: 'day',
    recordedAt: '2022-01-24T18:00:00Z',
    storyId: 'russia-ukraine-2022',
    actors: [{ id: 'us-dod', name: 'US Department of Defense', country: 'US', role: 'subject' }],
    locations: [{ name: 'Washington', country: 'US', geoPrecision: 1 }],
    sources: [{ role: 'reporting', outlet: 'Reuters', url: 'https://www.reuters.com/world/' }],
    tags: ['nato', 'alert'],
    confirmation: 'confirmed',
    summary: 'Pentagon puts about 8,500 troops on heightened alert.',
    payload: { forceSize: 8500, unit: 'NATO Response Force', noticePeriodDaysBefore: 10, noticePeriodDaysAfter: 5 },
    ...overrides,
  };
}

describe('EventCatalogue.decode', () => {
  it('accepts a valid current-version event', () => {
    const r = eventCatalogue.decode(envelope());
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(r.event.payload).toEqual({
        forceSize: 8500,
        unit: 'NATO Response Force',
        noticePeriodDaysBefore: 10,
        noticePeriodDaysAfter: 5,
      });
  });

  it('reads a v1 readiness.raised as v2 (upcaster), leaving the input untouched', () => {
    const v1 = envelope({ schemaVersion: 1, payload: { forceSize: 8500, noticePeriod: '5 days' } });
    const before = JSON.stringify(v1);
    const r = eventCatalogue.decode(v1);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.originalVersion).toBe(1);
    expect(r.event.schemaVersion).toBe(2);
    expect(r.event.payload).toEqual({ forceSize: 8500, noticePeriodDaysAfter: 5 });
    expect(JSON.stringify(v1)).toBe(before);
  });

  it('names every bad field', () => {
    const r = eventCatalogue.decode(envelope({ payload: { forceSize: -1, colour: 'red' } }));
    expect(r).toMatchObject({ ok: false, code: 'EVENT.INVALID_PAYLOAD' });
    if (r.ok) return;
    expect(r.issues).toEqual(
      expect.arrayContaining([
        { path: '/payload/forceSize', message: 'must be >= 0' },
        { path: '/payload/colour', message: 'is not a known field' },
      ]),
    );
  });

  it('rejects unknown types, future versions and bad envelopes with distinct codes', () => {
    expect(eventCatalogue.decode(envelope({ type: 'alien.landed' }))).toMatchObject({ ok: false, code: 'EVENT.UNKNOWN_TYPE' });
    expect(eventCatalogue.decode(envelope({ schemaVersion: 9 }))).toMatchObject({ ok: false, code: 'EVENT.UNSUPPORTED_VERSION' });
    const bad = eventCatalogue.decode(envelope({ occurredAt: '24/01/2022', confirmation: 'rumour' }));
    expect(bad).toMatchObject({ ok: false, code: 'EVENT.INVALID_ENVELOPE' });
    if (!bad.ok) {
      expect(bad.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/occurredAt', '/confirmation']));
    }
    expect(eventCatalogue.decode('not an object')).toMatchObject({ ok: false, code: 'EVENT.INVALID_ENVELOPE' });
  });

  it('enforces size limits', () => {
    const r = eventCatalogue.decode(envelope({ summary: 'x'.repeat(501) }));
    expect(r).toMatchObject({ ok: false, code: 'EVENT.INVALID_ENVELOPE' });
    const big = eventCatalogue.decode(
      envelope({ type: 'statement.issued', schemaVersion: 1, payload: { quote: 'y'.repeat(2000), speaker: 'z'.repeat(200) } }),
    );
    expect(big.ok).toBe(true);
    const huge = eventCatalogue.decode(envelope({ tags: Array.from({ length: 31 }, (_, i) => `t${i}`) }));
    expect(huge).toMatchObject({ ok: false });
  });

  it('gives the default CAMEO code unless the event overrides it', () => {
    expect(eventCatalogue.cameoCodeOf({ type: 'readiness.raised' })).toBe('152');
    expect(eventCatalogue.cameoCodeOf({ type: 'readiness.raised', cameoCode: '150' })).toBe('150');
  });

  it('publishes the catalogue as plain JSON Schema', () => {
    const s = eventCatalogue.jsonSchemas();
    expect(Object.keys(s.types)).toContain('readiness.raised');
    expect(Object.keys(s.types['readiness.raised']!.versions)).toEqual(['v2', 'v1']);
    expect(JSON.stringify(s)).toContain('"format":"uuid"');
  });
});
