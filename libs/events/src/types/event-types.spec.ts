import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENT_TYPES, LIMITS, eventCatalogue, type EventType } from '../index.js';

/** A complete, valid envelope around `payload` (recordedAt included: decode validates complete envelopes). */
function envelope(type: string, payload: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: '0d9a3c1e-5b7f-4e2a-9c11-2f0a6b8d4e21',
    type,
    schemaVersion: eventCatalogue.get(type)?.version ?? 1,
    occurredAt: '2022-01-24T00:00:00Z',
    occurredAtPrecision: 'day',
    recordedAt: '2022-01-25T08:00:00Z',
    storyId: 'russia-ukraine-2022',
    actors: [{ id: 'kremlin', name: 'Kremlin', country: 'RU', role: 'subject' }],
    locations: [{ name: 'Moscow', country: 'RU', lat: 55.75, lon: 37.62, geoPrecision: 1 }],
    sources: [{ role: 'reporting', outlet: 'Reuters', url: 'https://www.reuters.com/world/europe/' }],
    tags: ['test'],
    confirmation: 'confirmed',
    summary: 'A test event.',
    payload,
    ...overrides,
  };
}

interface BrokenCase {
  /** What is wrong, for the test name. */
  readonly why: string;
  readonly payload: Record<string, unknown>;
  /** The field-level issue decode must report. */
  readonly path: string;
  readonly message: string | RegExp;
}

/** Per type: one or more broken payloads and the exact field the error must name. */
const BROKEN: Record<EventType, BrokenCase[]> = {
  'readiness.raised': [
    { why: 'negative force size', payload: { forceSize: -5 }, path: '/payload/forceSize', message: 'must be >= 0' },
    {
      why: 'notice period as text (v1 field on v2)',
      payload: { noticePeriod: '5 days' },
      path: '/payload/noticePeriod',
      message: 'is not a known field',
    },
  ],
  'deployment.announced': [
    { why: 'no status', payload: { forceSize: 2000 }, path: '/payload/status', message: 'is required' },
    {
      why: 'status considered (its own type)',
      payload: { status: 'considered' },
      path: '/payload/status',
      message: /must be one of "announced", "executed"/,
    },
    {
      why: 'lower-case country',
      payload: { status: 'announced', destinations: ['pl'] },
      path: '/payload/destinations/0',
      message: /must match pattern/,
    },
    {
      why: 'figure and range together',
      payload: { status: 'announced', forceSize: 10, forceSizeMax: 20 },
      path: '/payload/forceSize',
      message: /not both/,
    },
  ],
  'deployment.considered': [
    {
      why: 'range upside down',
      payload: { forceSizeMin: 5000, forceSizeMax: 1000 },
      path: '/payload/forceSizeMax',
      message: 'must not be less than forceSizeMin',
    },
    { why: 'escalation factor of one', payload: { escalationFactor: 1 }, path: '/payload/escalationFactor', message: 'must be > 1' },
  ],
  'denial.issued': [
    { why: 'nothing denied', payload: { speaker: 'Dmitry Peskov' }, path: '/payload/denies', message: 'is required' },
    { why: 'empty denial', payload: { denies: '' }, path: '/payload/denies', message: 'must NOT have fewer than 1 characters' },
  ],
  'concern.expressed': [
    { why: 'no subject of concern', payload: { quote: 'We are worried.' }, path: '/payload/about', message: 'is required' },
    {
      why: 'unknown strength',
      payload: { about: 'x', strength: 'fury' },
      path: '/payload/strength',
      message: /must be one of "concern", "denunciation"/,
    },
  ],
  'statement.issued': [
    {
      why: 'quote too long',
      payload: { quote: 'q'.repeat(2001) },
      path: '/payload/quote',
      message: 'must NOT have more than 2000 characters',
    },
    { why: 'unknown field', payload: { headline: 'x' }, path: '/payload/headline', message: 'is not a known field' },
  ],
  'talks.held': [
    { why: 'no format', payload: { participants: ['A', 'B'] }, path: '/payload/format', message: 'is required' },
    {
      why: 'unknown format',
      payload: { format: 'telegram' },
      path: '/payload/format',
      message: /must be one of "phone", "video", "visit", "third-location"/,
    },
    { why: 'zero minutes', payload: { format: 'phone', durationMinutes: 0 }, path: '/payload/durationMinutes', message: 'must be >= 1' },
  ],
  'negotiations.updated': [
    { why: 'no status', payload: { track: 'security guarantees' }, path: '/payload/status', message: 'is required' },
    { why: 'unknown status', payload: { track: 'x', status: 'paused' }, path: '/payload/status', message: /must be one of "proposed"/ },
  ],
  'troops.moved': [
    { why: 'no activity', payload: { status: 'executed' }, path: '/payload/activity', message: 'is required' },
    {
      why: 'force size as text',
      payload: { status: 'executed', activity: 'buildup', forceSize: '92,000' },
      path: '/payload/forceSize',
      message: 'must be integer',
    },
  ],
  'sanctions.announced': [
    { why: 'no status', payload: { measures: ['asset freeze'] }, path: '/payload/status', message: 'is required' },
    {
      why: 'status lifted (not a sanctions announcement)',
      payload: { status: 'lifted' },
      path: '/payload/status',
      message: /must be one of "threatened", "imposed"/,
    },
  ],
  'emergency.declared': [
    { why: 'no kind', payload: { durationDays: 30 }, path: '/payload/kind', message: 'is required' },
    { why: 'zero days', payload: { kind: 'martial-law', durationDays: 0 }, path: '/payload/durationDays', message: 'must be >= 1' },
  ],
  'diplomat.expelled': [
    { why: 'no diplomat country', payload: { expellingCountry: 'RU' }, path: '/payload/diplomatCountry', message: 'is required' },
    {
      why: 'expels its own diplomat',
      payload: { expellingCountry: 'RU', diplomatCountry: 'RU' },
      path: '/payload/diplomatCountry',
      message: 'must differ from expellingCountry',
    },
  ],
  'recognition.declared': [
    { why: 'nothing recognised', payload: { recognised: [] }, path: '/payload/recognised', message: 'must NOT have fewer than 1 items' },
  ],
  'cyber.incident': [
    { why: 'no kind', payload: { targetCount: 70 }, path: '/payload/kind', message: 'is required' },
    {
      why: 'blamed while unattributed',
      payload: { kind: 'ddos', attribution: 'unattributed', attributedTo: 'GRU' },
      path: '/payload/attributedTo',
      message: /must be absent/,
    },
  ],
  'military.action': [
    { why: 'no kind', payload: { targets: ['a kindergarten'] }, path: '/payload/kind', message: 'is required' },
    {
      why: 'negative casualties',
      payload: { kind: 'shelling', casualtiesKilled: -1 },
      path: '/payload/casualtiesKilled',
      message: 'must be >= 0',
    },
  ],
  'entry.corrected': [
    {
      why: 'target is not a UUID',
      payload: { targetEventId: 'line-12', severity: 'minor', note: 'x', replaces: { summary: 'y' } },
      path: '/payload/targetEventId',
      message: 'must match format "uuid"',
    },
    {
      why: 'replaces nothing',
      payload: { targetEventId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01', severity: 'minor', note: 'x', replaces: {} },
      path: '/payload/replaces',
      message: 'must NOT have fewer than 1 properties',
    },
  ],
  'entry.retracted': [
    {
      why: 'no reason',
      payload: { targetEventId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01' },
      path: '/payload/reason',
      message: 'is required',
    },
  ],
  'entry.merged': [
    {
      why: 'the survivor among the merged ids',
      payload: {
        survivorId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01',
        mergedIds: ['6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01'],
        reason: 'x',
      },
      path: '/payload/mergedIds/0',
      message: 'must not be the survivorId',
    },
  ],
  'entry.split': [
    {
      why: 'no split ids',
      payload: { survivorId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01', splitIds: [], reason: 'x' },
      path: '/payload/splitIds',
      message: /fewer than 1 item/,
    },
  ],
  'entry.related': [
    {
      why: 'an unknown relation',
      payload: {
        fromId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01',
        toId: '0b7e2c1a-3d4f-4a5b-8c6d-7e8f9a0b1c2d',
        relation: 'refutes',
        reason: 'x',
      },
      path: '/payload/relation',
      message: /./,
    },
  ],
};

describe('the catalogue registers every type of the architecture', () => {
  it('has exactly the 17 types, each with a CAMEO default unless it is a meta event', () => {
    expect(EVENT_TYPES.map((d) => d.type).sort()).toEqual(
      [
        'concern.expressed',
        'cyber.incident',
        'denial.issued',
        'deployment.announced',
        'deployment.considered',
        'diplomat.expelled',
        'emergency.declared',
        'entry.corrected',
        'entry.merged',
        'entry.related',
        'entry.retracted',
        'entry.split',
        'military.action',
        'negotiations.updated',
        'readiness.raised',
        'recognition.declared',
        'sanctions.announced',
        'statement.issued',
        'talks.held',
        'troops.moved',
      ].sort(),
    );
    for (const d of EVENT_TYPES) {
      expect(d.meta ? d.cameo : d.cameo?.code).toEqual(d.meta ? null : expect.stringMatching(/^\d{3,4}$/));
    }
  });

  it('has a broken example for every type (a new type without one fails here)', () => {
    expect(Object.keys(BROKEN).sort()).toEqual(EVENT_TYPES.map((d) => d.type).sort());
  });
});

describe.each(EVENT_TYPES.map((d) => [d.type, d] as const))('%s', (type, def) => {
  it('accepts its documented example payload', () => {
    expect(def.example).toBeDefined();
    const r = eventCatalogue.decode(envelope(type, def.example));
    if (!r.ok) throw new Error(`${type} example rejected: ${JSON.stringify(r.issues)}`);
    expect(r.event.type).toBe(type);
    expect(r.event.payload).toEqual(def.example);
  });

  it.each(BROKEN[type].map((c) => [c.why, c] as const))('rejects a payload with %s, naming the field', (_why, c) => {
    const r = eventCatalogue.decode(envelope(type, c.payload));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('EVENT.INVALID_PAYLOAD');
    const issue = r.issues.find((i) => i.path === c.path);
    if (!issue) throw new Error(`no issue at ${c.path}; got ${JSON.stringify(r.issues)}`);
    if (typeof c.message === 'string') expect(issue.message).toBe(c.message);
    else expect(issue.message).toMatch(c.message);
  });
});

describe('CAMEO codes implied by the payload', () => {
  const code = (type: string, payload: Record<string, unknown>, cameoCode?: string) =>
    eventCatalogue.cameoCodeOf({ type, payload, ...(cameoCode ? { cameoCode } : {}) });

  it.each([
    ['sanctions.announced', { status: 'threatened' }, '1312'],
    ['sanctions.announced', { status: 'imposed' }, '163'],
    ['talks.held', { format: 'phone' }, '041'],
    ['talks.held', { format: 'visit' }, '042'],
    ['talks.held', { format: 'third-location' }, '044'],
    ['talks.held', { format: 'video' }, '040'],
    ['troops.moved', { status: 'executed', activity: 'exercise' }, '150'],
    ['troops.moved', { status: 'executed', activity: 'buildup' }, '154'],
    ['concern.expressed', { about: 'x', strength: 'denunciation' }, '111'],
    ['concern.expressed', { about: 'x' }, '012'],
    ['recognition.declared', { recognised: ['x'] }, '054'],
    ['entry.retracted', { targetEventId: 'x', reason: 'y' }, null],
  ])('%s %j → %s', (type, payload, expected) => {
    expect(code(type, payload)).toBe(expected);
  });

  it('lets the event override any default', () => {
    expect(code('talks.held', { format: 'visit' }, '043')).toBe('043');
  });
});

describe('docs/events.md, the catalogue reference', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../../../docs/events.md', import.meta.url)), 'utf8');

  it.each(EVENT_TYPES.map((d) => [d.type, d] as const))('documents %s at its current version with every payload field', (type, def) => {
    const section = doc.split(`### \`${type}\``)[1]?.split('\n### ')[0];
    expect(section).toBeDefined();
    expect(section).toContain(`current schemaVersion: **${def.version}**`);
    const fields = Object.keys((def.payload as unknown as { properties: Record<string, unknown> }).properties);
    for (const f of fields) expect(section).toContain(`| \`${f}\` |`);
  });

  it('states the size limits the code enforces', () => {
    expect(doc).toContain(`${LIMITS.summaryChars} characters`);
    expect(doc).toContain(`${LIMITS.payloadBytes / 1024} KiB`);
    expect(doc).toContain(`${LIMITS.envelopeBytes / 1024} KiB`);
    expect(doc).toContain(`${LIMITS.batchEvents.toLocaleString('en')}`);
  });
});
