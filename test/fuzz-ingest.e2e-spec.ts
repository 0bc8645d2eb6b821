import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { eventCatalogue, prepareEvent, systemClock } from '@timeline/events';
import { hashApiKey } from '@timeline/http';
import { checkFaultInvariants, readTopic, readinessRaised, testConfig, useTestStack } from './support/index.js';

/** Cases per run (FUZZ_RUNS); the seed is printed and can be replayed with FUZZ_SEED. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const EDITOR = randomBytes(24).toString('base64url');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One valid ingest input per catalogue type (its documented example payload on a common envelope). */
function seeds(): Record<string, Json>[] {
  const { recordedAt: _r, eventId: _e, ...envelope } = readinessRaised();
  const out: Record<string, Json>[] = [];
  for (const def of eventCatalogue.definitions()) {
    if (!def.example) continue;
    const input = { ...envelope, type: def.type, schemaVersion: def.version, payload: def.example } as Record<string, Json>;
    if (prepareEvent(input, { clock: systemClock }).ok) out.push(input);
  }
  return out;
}

const PATHS = [
  'eventId',
  'type',
  'schemaVersion',
  'occurredAt',
  'occurredAtPrecision',
  'occurredUntil',
  'occurredTz',
  'recordedAt',
  'storyId',
  'actors',
  'actors.0',
  'actors.0.id',
  'actors.0.role',
  'locations',
  'locations.0.country',
  'locations.0.lat',
  'sources',
  'sources.0.url',
  'sources.0.role',
  'tags',
  'tags.0',
  'confirmation',
  'summary',
  'cameoCode',
  'correlationId',
  'payload',
  'payload.forceSize',
  'payload.targetEventId',
  'payload.quote',
  'payload.status',
  '__proto__',
  'constructor',
];

/** Values that break schemas in interesting ways: wrong types, edge numbers, hostile strings. */
const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    0,
    -1,
    1e308,
    -0,
    2 ** 53 + 1,
    '',
    ' ',
    '\u0000',
    '2022-02-30T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    // Issue 19's classes: each was answered 202 and then never stored, or stored and unreadable.
    '2022-02-29T00:00:00Z',
    '2022-04-31T00:00:00Z',
    '2022-01-24T00:00:00+16:00',
    '2022-01-24T00:00:00-23:59',
    '9999-12-31T23:59:59-00:01',
    '0001-01-01T00:00:00+00:01',
    '9999-12-31T23:59:59.9999999Z',
    'a\ud800b',
    '\udc00',
    'Mars/Olympus',
    'Europe/Kiev',
    '2022-01-24',
    'not-a-uuid',
    '00000000-0000-0000-0000-000000000000',
    'readiness.raised',
    'entry.corrected',
    'troops.teleported',
    'javascript:alert(1)',
    '<script>alert(1)</script>',
    "'; DROP TABLE event_log; --",
    '🇺🇦'.repeat(200),
    'x'.repeat(70_000),
    [],
    {},
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

type Mutation =
  { kind: 'set'; path: string; value: Json } | { kind: 'delete'; path: string } | { kind: 'extra'; name: string; value: Json };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: nasty }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ kind: fc.constant('extra' as const), name: fc.string({ minLength: 1, maxLength: 12 }), value: nasty }),
);

function mutate(seed: Record<string, Json>, mutations: readonly Mutation[]): Json {
  const doc = structuredClone(seed) as Record<string, Json>;
  for (const m of mutations) {
    if (m.kind === 'extra') {
      Object.defineProperty(doc, m.name, { value: m.value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const keys = m.path.split('.');
    let at: Json = doc;
    for (const k of keys.slice(0, -1)) {
      if (at === null || typeof at !== 'object') break;
      at = (at as Record<string, Json>)[k] ?? null;
    }
    if (at === null || typeof at !== 'object') continue;
    const last = keys.at(-1)!;
    if (m.kind === 'delete') delete (at as Record<string, Json>)[last];
    else Object.defineProperty(at, last, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return doc;
}

/**
 * Fuzz: randomly mutated envelopes (fast-check) posted to the real ingest process. Never a 5xx, the
 * process never dies, and everything it accepted is on the topic, valid per the catalogue, and stored
 * by the projector (nothing accepted is refused later — the check that found NUL characters).
 */
describe(`ingest fuzz (${RUNS} mutated envelopes, seed ${SEED})`, () => {
  const { env, config } = testConfig({ API_KEYS: `fuzz:editor:${hashApiKey(EDITOR)}`, RATE_LIMIT_WRITES_PER_MINUTE: '0' });
  const stack = useTestStack(config, env, ['ingest', 'projector']);

  it('never answers 5xx or crashes; every accepted envelope decodes from the topic', async () => {
    const { ds, kafka } = stack;
    const ingest = stack.app('ingest');
    const projector = stack.app('projector');
    const base = seeds();
    expect(base.length).toBeGreaterThanOrEqual(15);
    const accepted = new Map<string, Json>();
    let acceptedEvents = 0;
    const statuses: Record<string, number> = {};
    const body = fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .tuple(fc.constantFrom(...base), fc.array(mutation, { minLength: 1, maxLength: 4 }))
          .map(([s, ms]) => JSON.stringify(mutate(s, ms))),
      },
      // Broken JSON text: a valid envelope cut short or spliced with garbage.
      {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom(...base), fc.nat(), fc.string({ maxLength: 8 })).map(([s, cut, junk]) => {
          const t = JSON.stringify(s);
          return t.slice(0, cut % t.length) + junk;
        }),
      },
      // A batch wrapper around mutated events.
      {
        weight: 1,
        arbitrary: fc
          .array(fc.tuple(fc.constantFrom(...base), fc.array(mutation, { maxLength: 2 })), { minLength: 1, maxLength: 3 })
          .map((xs) => JSON.stringify({ events: xs.map(([s, ms]) => mutate(s, ms)) })),
      },
    );

    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const isBatch = text.startsWith('{"events"');
        const res = await fetch(`${ingest.url}/v1/events${isBatch ? '/batch' : ''}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': EDITOR },
          body: text,
        });
        const answer = await res.text();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        // 409: a mutated eventId (the nil UUID) reused with other content — refused, never dropped.
        if (![202, 400, 409, 413, 422].includes(res.status))
          throw new Error(`status ${res.status} for ${text.slice(0, 300)}: ${answer.slice(0, 300)}`);
        if (res.status !== 202) {
          expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
          return;
        }
        const published = JSON.parse(answer) as { eventId?: string; events?: { eventId: string }[] };
        const sent = JSON.parse(text) as Json;
        for (const e of published.events ?? [published as { eventId: string }]) {
          accepted.set(e.eventId, sent);
          acceptedEvents++;
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );

    expect((await fetch(`${ingest.url}/health`)).status).toBe(200);
    expect(ingest.output()).not.toContain('"level":50');
    // Mutations are mostly fatal, but some keep the event valid (an optional field removed, a free-text field changed).
    expect(statuses['422']).toBeGreaterThan(RUNS / 2);
    expect(accepted.size).toBeGreaterThan(0);

    const records = await readTopic(kafka, config.kafka.eventsTopic, 60_000);
    // Mutated eventIds may repeat (the nil UUID): every 202'd event is one record either way.
    expect(records).toHaveLength(acceptedEvents);
    for (const r of records) {
      const decoded = eventCatalogue.decode(JSON.parse(r.value));
      if (!decoded.ok)
        throw new Error(`accepted but invalid on the topic: ${decoded.code} ${JSON.stringify(decoded.issues)} — ${r.value.slice(0, 500)}`);
      expect(accepted.has(decoded.event.eventId)).toBe(true);
      expect(r.key).toBe(decoded.event.storyId);
    }
    // Accepted means stored: every accepted event reaches event_log (and the timeline, for entries).
    await checkFaultInvariants({ ds, kafka, topic: config.kafka.eventsTopic, accepted: accepted.keys() });
    expect(projector.output()).not.toContain('message dead-lettered');
    process.stderr.write(`[fuzz] seed ${SEED}: statuses ${JSON.stringify(statuses)}, ${accepted.size} accepted and decoded back\n`);
  }, 300_000);
});
