import { LIMITS, RECORDED_AT_IS_SERVER_OWNED, eventCatalogue, fixedClock, prepareEvent } from './index.js';

const clock = fixedClock('2022-01-25T09:30:00Z');
const newId = () => '11111111-2222-4333-8444-555555555555';

/** What a newsroom tool posts: no eventId, no schemaVersion, no recordedAt. */
function input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'concern.expressed',
    occurredAt: '2022-01-25T00:00:00Z',
    occurredAtPrecision: 'day',
    storyId: 'russia-ukraine-2022',
    actors: [{ id: 'kremlin', name: 'Kremlin', country: 'RU', role: 'subject' }],
    locations: [{ name: 'Moscow', country: 'RU', geoPrecision: 1 }],
    sources: [{ role: 'reporting', outlet: 'Reuters', url: 'https://www.reuters.com/world/europe/' }],
    tags: [],
    confirmation: 'confirmed',
    summary: 'The Kremlin says it watches US moves with great concern.',
    payload: { about: 'US troops on heightened alert', speaker: 'Dmitry Peskov' },
    ...overrides,
  };
}

describe('prepareEvent', () => {
  it('generates the eventId, defaults the schema version and stamps recordedAt from the clock', () => {
    const r = prepareEvent(input(), { clock, newId });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.generatedId).toBe(true);
    expect(r.envelope).toMatchObject({
      eventId: '11111111-2222-4333-8444-555555555555',
      schemaVersion: 1,
      recordedAt: '2022-01-25T09:30:00.000Z',
    });
    expect(r.event.recordedAt).toBe('2022-01-25T09:30:00.000Z');
    expect(eventCatalogue.decode(r.envelope).ok).toBe(true);
  });

  it('generates a random v4 id when no generator is given', () => {
    const a = prepareEvent(input(), { clock });
    const b = prepareEvent(input(), { clock });
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.envelope.eventId).toMatch(/^[0-9a-f-]{8}-[0-9a-f]{4}-4/);
      expect(a.envelope.eventId).not.toBe(b.envelope.eventId);
    }
  });

  it("keeps the client's eventId (the idempotency key)", () => {
    const r = prepareEvent(input({ eventId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01' }), { clock, newId });
    expect(r.ok && r.envelope.eventId).toBe('6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01');
    expect(r.ok && r.generatedId).toBe(false);
  });

  it('refuses a client-supplied recordedAt with a field error (it is server-owned)', () => {
    const r = prepareEvent(input({ recordedAt: '2021-01-01T00:00:00Z' }), { clock, newId });
    expect(r).toMatchObject({ ok: false, code: 'EVENT.INVALID_ENVELOPE' });
    if (!r.ok) expect(r.issues).toEqual([{ path: '/recordedAt', message: RECORDED_AT_IS_SERVER_OWNED }]);
  });

  it('reports a client recordedAt together with every other bad field', () => {
    const r = prepareEvent(input({ recordedAt: 'x', payload: { speaker: 'Peskov' } }), { clock, newId });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path).sort()).toEqual(['/payload/about', '/recordedAt']);
  });

  it('publishes the version the client sent (old versions are never rewritten) and upcasts for readers', () => {
    const r = prepareEvent(input({ type: 'readiness.raised', schemaVersion: 1, payload: { forceSize: 8500, noticePeriod: '5 days' } }), {
      clock,
      newId,
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.envelope.schemaVersion).toBe(1);
    expect(r.envelope.payload).toEqual({ forceSize: 8500, noticePeriod: '5 days' });
    expect(r.originalVersion).toBe(1);
    expect(r.event).toMatchObject({ schemaVersion: 2, payload: { forceSize: 8500, noticePeriodDaysAfter: 5 } });
  });

  it('names an unknown type without complaining about the version it could not default', () => {
    const r = prepareEvent(input({ type: 'alien.landed' }), { clock, newId });
    expect(r).toMatchObject({ ok: false, code: 'EVENT.UNKNOWN_TYPE' });
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['/type']);
  });

  it('refuses non-objects', () => {
    for (const bad of [null, 'x', 42, [input()]]) {
      expect(prepareEvent(bad, { clock, newId })).toMatchObject({ ok: false, code: 'EVENT.INVALID_ENVELOPE' });
    }
  });

  describe('size limits', () => {
    it('summary, tags, actors, sources and locations are bounded', () => {
      const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
      const cases: [Record<string, unknown>, string][] = [
        [{ summary: 's'.repeat(LIMITS.summaryChars + 1) }, '/summary'],
        [{ tags: many(LIMITS.tags + 1, (i) => `t${i}`) }, '/tags'],
        [{ actors: many(LIMITS.actors + 1, (i) => ({ id: `a${i}`, name: 'A', role: 'subject' })) }, '/actors'],
        [{ sources: many(LIMITS.sources + 1, () => ({ role: 'reporting', outlet: 'X', url: 'https://x.test/' })) }, '/sources'],
        [{ locations: many(LIMITS.locations + 1, () => ({ name: 'Kyiv', country: 'UA' })) }, '/locations'],
      ];
      for (const [overrides, path] of cases) {
        const r = prepareEvent(input(overrides), { clock, newId });
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.issues.map((i) => i.path)).toContain(path);
      }
      // At the limit is fine.
      expect(prepareEvent(input({ summary: 's'.repeat(LIMITS.summaryChars) }), { clock, newId }).ok).toBe(true);
    });

    it('a payload over its byte limit is EVENT.TOO_LARGE', () => {
      const quotes = Array.from({ length: 10 }, () => 'q'.repeat(1990));
      const r = prepareEvent(
        input({ type: 'recognition.declared', payload: { recognised: quotes.map((q) => q.slice(0, 300)), extra: quotes } }),
        {
          clock,
          newId,
        },
      );
      expect(r).toMatchObject({ ok: false, code: 'EVENT.TOO_LARGE' });
      if (!r.ok) expect(r.issues[0]!.path).toBe('/payload');
    });

    it('an envelope over its byte limit is EVENT.TOO_LARGE', () => {
      const sources = Array.from({ length: 20 }, (_, i) => ({
        role: 'reporting',
        outlet: 'X',
        url: `https://x.test/${'p'.repeat(1990)}${i}`,
      }));
      const actors = Array.from({ length: 50 }, (_, i) => ({ id: `a${i}`, name: 'n'.repeat(200), role: 'subject' }));
      const locations = Array.from({ length: 50 }, () => ({ name: 'l'.repeat(200), country: 'UA', admin1: 'a'.repeat(200) }));
      const r = prepareEvent(input({ sources, actors, locations }), { clock, newId });
      expect(r).toMatchObject({ ok: false, code: 'EVENT.TOO_LARGE' });
      if (!r.ok) expect(r.issues[0]!.message).toContain(String(LIMITS.envelopeBytes));
    });
  });
});
