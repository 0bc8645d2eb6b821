import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { eventCatalogue, eventContentDigest, prepareEvent, systemClock } from '@timeline/events';
import { hashApiKey } from '@timeline/http';
import { readTopic, readinessRaised, startApp, testConfig, useTestStack, waitFor } from './support/index.js';

/** Generated envelopes per run (ACCEPTED_RUNS); the seed is printed and can be replayed with ACCEPTED_SEED. */
const RUNS = Number(process.env.ACCEPTED_RUNS ?? 300);
const SEED = Number(process.env.ACCEPTED_SEED ?? Date.now() % 2_147_483_647);
const EDITOR = randomBytes(24).toString('base64url');
const STORY = `accepted-${randomBytes(4).toString('hex')}`;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The envelope fields of a valid event, without server fields. */
function baseInput(overrides: Record<string, Json> = {}): Record<string, Json> {
  const { recordedAt: _r, eventId: _e, ...envelope } = readinessRaised();
  return { ...(envelope as Record<string, Json>), storyId: STORY, eventId: randomUUID(), ...overrides };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Timestamps over the whole space the rule decides on: every year end, bad days, wide offsets, long fractions. */
const anyTimestamp: fc.Arbitrary<string> = fc
  .record({
    year: fc.oneof(fc.constantFrom(0, 1, 2, 1900, 2000, 2021, 2022, 2024, 9999), fc.integer({ min: 0, max: 9999 })),
    month: fc.integer({ min: 1, max: 13 }),
    day: fc.oneof(fc.constantFrom(1, 28, 29, 30, 31), fc.integer({ min: 0, max: 32 })),
    hour: fc.integer({ min: 0, max: 24 }),
    minute: fc.constantFrom(0, 1, 30, 59),
    second: fc.constantFrom(0, 59, 60),
    fraction: fc.constantFrom('', '.1', '.123', '.999999', '.9999995', '.123456789'),
    offset: fc.oneof(
      fc.constant('Z'),
      fc
        .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 1, 30, 59))
        .map(([s, h, m]) => `${s}${pad(h)}:${pad(m)}`),
    ),
  })
  .map((t) => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${t.fraction}${t.offset}`);

/** Mostly storable timestamps (so the accepted side of the property is well covered), at any year and offset. */
const plausibleTimestamp: fc.Arbitrary<string> = fc
  .record({
    year: fc.oneof(fc.constantFrom(1, 1970, 2021, 2022, 9999), fc.integer({ min: 1, max: 9999 })),
    month: fc.integer({ min: 2, max: 11 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.constantFrom('', '.5', '.123456', '.123456789'),
    offset: fc.oneof(
      fc.constant('Z'),
      fc
        .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 59 }))
        .map(([s, h, m]) => `${s}${pad(h)}:${pad(m)}`),
    ),
  })
  .map((t) => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${t.fraction}${t.offset}`);

const timestamp = fc.oneof({ weight: 1, arbitrary: anyTimestamp }, { weight: 2, arbitrary: plausibleTimestamp });

/** Text over the classes that broke storage: lone surrogates, NUL, emoji pairs, Cyrillic, RTL, long text. */
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'a\ud800b',
      '\udc00',
      'ok\u0000',
      'Песков: «не планируем»',
      'Зеленський',
      '🇺🇦 Kyiv',
      'مرحبا',
      'x'.repeat(500),
      'x'.repeat(501),
    ),
  },
);

const zone = fc.option(
  fc.constantFrom(
    'Europe/Kyiv',
    'Europe/Kiev',
    'Europe/Moscow',
    'America/New_York',
    'UTC',
    'Pacific/Kiritimati',
    'Mars/Olympus',
    'Etc/GMT+12',
  ),
  {
    nil: undefined,
  },
);

/** Whole envelopes built from the space above (not only mutations of one valid event). */
const envelope: fc.Arbitrary<Record<string, Json>> = fc
  .record({
    type: fc.constantFrom(...eventCatalogue.definitions().filter((d) => !d.meta && d.example)),
    occurredAt: timestamp,
    until: fc.option(timestamp, { nil: undefined, freq: 4 }),
    precision: fc.constantFrom('day', 'hour', 'minute', 'second'),
    tz: zone,
    summary: text,
    tag: fc.option(fc.constantFrom('valid-tag', 'valid-tag', 'Not A Slug'), { nil: undefined }),
  })
  .map((g) => {
    const input = baseInput({
      type: g.type.type,
      schemaVersion: g.type.version,
      payload: g.type.example as Json,
      occurredAt: g.occurredAt,
      occurredAtPrecision: g.precision,
      summary: g.summary,
      tags: g.tag ? [g.tag] : [],
    });
    if (g.until) input.occurredUntil = g.until;
    if (g.tz) input.occurredTz = g.tz;
    return input;
  });

/**
 * Issue 19, "202 means stored and readable", on the real stack (ingest → Kafka → projector →
 * PostgreSQL → timeline API): every repro class of the issue is refused with a 4xx and the field
 * path, or accepted and then stored and readable in every view; and generated envelopes over the
 * whole envelope space obey the property "decode accepts ⇔ 202 ⇒ readable everywhere".
 */
describe(`accepted means stored and readable (${RUNS} generated envelopes, seed ${SEED})`, () => {
  const { env, config } = testConfig({
    API_KEYS: `accepted:editor:${hashApiKey(EDITOR)}`,
    RATE_LIMIT_WRITES_PER_MINUTE: '0',
    RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '5',
  });
  const stack = useTestStack(config, env, ['ingest', 'projector', 'timeline-api']);
  /** eventId → what was sent, for everything answered 202. */
  const accepted = new Map<string, Record<string, Json>>();

  const post = async (body: string | Buffer | object, opts: { key?: string | null; path?: string; type?: string } = {}) => {
    const res = await fetch(`${stack.app('ingest').url}/v1/events${opts.path ?? ''}`, {
      method: 'POST',
      headers: { 'content-type': opts.type ?? 'application/json', ...(opts.key === null ? {} : { 'x-api-key': opts.key ?? EDITOR }) },
      body: typeof body === 'string' ? body : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
    });
    const answer = await res.text();
    return { status: res.status, headers: res.headers, json: () => JSON.parse(answer) as Record<string, unknown>, text: answer };
  };
  const get = async (path: string) => {
    const res = await fetch(`${stack.app('timeline-api').url}${path}`);
    return { status: res.status, text: await res.text() };
  };

  describe('ingest refuses what cannot be stored, naming the field (each was a 202 that was never stored)', () => {
    it.each<[string, Record<string, Json>, string]>([
      ['an unpaired surrogate in summary', { summary: 'a\ud800b' }, '/summary'],
      [
        'an unpaired surrogate in payload.quote',
        { type: 'statement.issued', schemaVersion: 1, payload: { speaker: 'Dmitry Peskov', quote: 'a\ud800b' } },
        '/payload/quote',
      ],
      ['2022-02-30', { occurredAt: '2022-02-30T00:00:00Z' }, '/occurredAt'],
      ['2022-02-29', { occurredAt: '2022-02-29T00:00:00Z' }, '/occurredAt'],
      ['2021-02-29', { occurredAt: '2021-02-29T00:00:00Z' }, '/occurredAt'],
      ['2022-04-31', { occurredAt: '2022-04-31T00:00:00Z' }, '/occurredAt'],
      ['year zero', { occurredAt: '0000-01-01T00:00:00Z' }, '/occurredAt'],
      ['offset +16:00', { occurredAt: '2022-01-24T00:00:00+16:00' }, '/occurredAt'],
      ['offset -23:00 in occurredUntil', { occurredUntil: '2022-01-26T00:00:00-23:00' }, '/occurredUntil'],
      ['offset +23:59', { occurredAt: '2022-01-24T00:00:00+23:59' }, '/occurredAt'],
      ['year 10000 once in UTC', { occurredAt: '9999-12-31T23:59:59-00:01' }, '/occurredAt'],
      ['1 BC once in UTC', { occurredAt: '0001-01-01T00:00:00+00:01' }, '/occurredAt'],
      ['an invented zone', { occurredTz: 'Mars/Olympus' }, '/occurredTz'],
    ])('%s → 422 at %s', async (_name, change, path) => {
      const res = await post(baseInput(change));
      expect(res.status).toBe(422);
      expect((res.json().errors as { path: string }[]).map((e) => e.path)).toContain(path);
    });

    it('answers a body nested 10,000 levels deep, and invalid UTF-8, with 400 (were a 500 and a silent replacement)', async () => {
      const deep = await post('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000));
      expect([deep.status, deep.json().code]).toEqual([400, 'REQUEST.MALFORMED']);
      expect(String(deep.json().detail)).toContain('levels deep');
      const bytes = Buffer.from(JSON.stringify(baseInput({ summary: 'XX' })));
      const at = bytes.indexOf('XX');
      bytes[at] = 0xff;
      bytes[at + 1] = 0xfe;
      const invalid = await post(bytes);
      expect([invalid.status, invalid.json().code]).toEqual([400, 'REQUEST.MALFORMED']);
      expect(String(invalid.json().detail)).toContain('UTF-8');
    });

    it('accepts, stores and renders the edges of the supported range', async () => {
      const edges = [
        baseInput({ occurredAt: '0001-01-01T00:00:00Z', occurredAtPrecision: 'hour', occurredTz: 'America/New_York' }),
        baseInput({ occurredAt: '9999-12-31T23:59:59.999999Z', occurredAtPrecision: 'second', occurredTz: 'Asia/Tokyo' }),
        baseInput({ occurredAt: '2022-01-24T10:00:00+15:59', occurredAtPrecision: 'minute' }),
        baseInput({ occurredAt: '2024-02-29T00:00:00Z', summary: 'Песков 🇺🇦 «цитата»' }),
      ];
      for (const e of edges) {
        const res = await post(e);
        expect(res.status).toBe(202);
        accepted.set(String(e.eventId), e);
      }
    });
  });

  describe('idempotency that tells the truth', () => {
    it('answers the same eventId with identical content 202, with other content 409 and the stored digest', async () => {
      const first = baseInput({ summary: 'First version of the truth' });
      expect((await post(first)).status).toBe(202);
      accepted.set(String(first.eventId), first);
      expect((await post(first)).status).toBe(202);
      const conflicting = await post({ ...first, summary: 'Silently different' });
      expect(conflicting.status).toBe(409);
      const body = conflicting.json();
      expect(body).toMatchObject({ code: 'EVENT.ID_CONFLICT', errors: [{ path: '/eventId' }] });
      expect(body.storedDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(body.storedDigest).not.toBe(eventContentDigest({ ...first, summary: 'Silently different' }));
      // Once stored in PostgreSQL too (another ingest process, or after a restart, sees it there).
      await waitFor(
        'first version stored',
        async () => ((await get(`/v1/entries/${String(first.eventId)}`)).status === 200 ? true : undefined),
        30_000,
      );
      const otherIngest = await startApp('ingest', env);
      try {
        const res = await fetch(`${otherIngest.url}/v1/events/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': EDITOR },
          body: JSON.stringify({ events: [baseInput(), { ...first, summary: 'Different again' }] }),
        });
        expect(res.status).toBe(409);
        expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['/events/1/eventId']);
      } finally {
        await otherIngest.stop();
      }
    });

    it('dead-letters a conflicting eventId that reaches the topic without ingest (EVENT.ID_CONFLICT), keeping the stored one', async () => {
      const original = baseInput({ summary: 'Stored original' });
      expect((await post(original)).status).toBe(202);
      accepted.set(String(original.eventId), original);
      await waitFor(
        'original stored',
        async () => ((await get(`/v1/entries/${String(original.eventId)}`)).status === 200 ? true : undefined),
        30_000,
      );
      const producer = stack.kafka.producer();
      await producer.connect();
      await producer.send({
        topic: config.kafka.eventsTopic,
        messages: [{ key: STORY, value: JSON.stringify({ ...original, summary: 'Forged rewrite', recordedAt: new Date().toISOString() }) }],
      });
      await producer.disconnect();
      const letters = await waitFor(
        'the conflict dead-lettered',
        async () => {
          const records = await readTopic(stack.kafka, config.kafka.dlqTopic, 5_000);
          const hit = records.filter((r) => r.value.includes('Forged rewrite'));
          return hit.length ? hit : undefined;
        },
        60_000,
        1000,
      );
      expect(letters[0]!.headers['dlq.reasonCode']).toBe('EVENT.ID_CONFLICT');
      expect(letters[0]!.headers['dlq.reason']).toContain('already stored with other content');
      const entry = JSON.parse((await get(`/v1/entries/${String(original.eventId)}`)).text) as { entry: { summary: string } };
      expect(entry.entry.summary).toBe('Stored original');
    });
  });

  describe('auth before work', () => {
    it('checks the key before the body: a malformed body without a key is a 401, and anonymous requests are rate-limited with Retry-After', async () => {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 8; i++) {
        const res = await post('{"not json', { key: null });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      // RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE=5: five 401s (never a 400: the body was not parsed), then 429s.
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      // A valid key is unaffected by the anonymous bucket of the same address.
      expect((await post('{"not json')).status).toBe(400);
    });
  });

  describe('reads never 500 on input', () => {
    it.each([
      ['/v1/timeline?to=9999-12-31', 200],
      ['/v1/timeline?asOf=0001-01-01', 200],
      ['/v1/timeline?from=9999-12-31T23:59:59-00:01', 400],
      ['/v1/timeline?to=9999-12-31T23:59:59-23:59', 400],
      ['/v1/timeline?asOf=9999-12-31T23:59:59-00:01', 400],
      ['/v1/timeline?from=2022-02-30', 400],
      ['/v1/timeline?limit=99999999999999999999', 400],
      ['/v1/stats?to=9999-12-31', 200],
      ['/v1/export?format=csv&to=9999-12-31', 200],
      [`/v1/entries/${randomUUID()}?asOf=0000-01-01`, 400],
      [
        '/v1/timeline?cursor=eyJ2IjoxLCJmIjoieCIsImsiOlsiMDAwMC0wMS0wMVQwMDowMDowMC4wMDAwMDBaIiwiMDAwMC0wMS0wMVQwMDowMDowMC4wMDAwMDBaIiwiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIl19.AAAAAAAAAAAAAAAAAAAAAA',
        400,
      ],
    ])('GET %s → %i', async (path, status) => {
      expect((await get(path)).status).toBe(status);
    });
  });

  it('property: every envelope decode accepts gets 202 and is readable in every view; every other one a 4xx (never a 5xx)', async () => {
    const statuses: Record<string, number> = {};
    let generated = 0;
    await fc.assert(
      fc.asyncProperty(envelope, async (input) => {
        generated++;
        const expected = prepareEvent(input, { clock: systemClock });
        const res = await post(input);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (expected.ok) {
          if (res.status !== 202)
            throw new Error(`decode accepts but ingest answered ${res.status}: ${res.text} for ${JSON.stringify(input)}`);
          accepted.set(String(input.eventId), input);
        } else if (res.status < 400 || res.status >= 500) {
          throw new Error(`decode refuses (${expected.code}) but ingest answered ${res.status}: ${res.text}`);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect(statuses['202']).toBeGreaterThan(10);
    expect(statuses['422']).toBeGreaterThan(10);

    // Stored: every accepted event reaches the timeline (the projector dead-letters none of them).
    const ids = [...accepted.keys()];
    await waitFor(
      'every accepted event projected',
      async () => {
        const rows = await stack.ds.query(`SELECT count(*)::int AS n FROM event_log WHERE event_id = ANY($1::uuid[])`, [ids]);
        return (rows[0] as { n: number }).n === ids.length ? true : undefined;
      },
      120_000,
      500,
    );
    expect(stack.app('projector').output()).not.toContain('EVENT.UNSTORABLE');

    // Readable: each entry, the timeline in both orders, every export format.
    for (const id of ids) {
      const res = await get(`/v1/entries/${id}`);
      if (res.status !== 200) throw new Error(`/v1/entries/${id} → ${res.status}: ${res.text} (sent ${JSON.stringify(accepted.get(id))})`);
      const view = (JSON.parse(res.text) as { entry: { displayDate: string; renderProblem?: string } }).entry;
      expect(view.renderProblem).toBeUndefined();
    }
    for (const order of ['asc', 'desc']) {
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const res = await get(`/v1/timeline?story=${STORY}&order=${order}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        const page = JSON.parse(res.text) as { data: { id: string }[]; page: { nextCursor: string | null } };
        for (const e of page.data) seen.add(e.id);
        cursor = page.page.nextCursor ?? undefined;
      } while (cursor);
      expect(ids.filter((id) => !seen.has(id))).toEqual([]);
    }
    for (const format of ['ndjson', 'csv', 'timelinejs']) {
      const res = await get(`/v1/export?format=${format}&story=${STORY}`);
      expect(res.status).toBe(200);
      for (const id of ids) if (!res.text.includes(id) && format !== 'timelinejs') throw new Error(`${format} export lacks ${id}`);
      if (format === 'timelinejs') expect((JSON.parse(res.text) as { events: unknown[] }).events).toHaveLength(ids.length);
      if (format === 'ndjson') expect(res.text.trim().split('\n')).toHaveLength(ids.length);
    }
    expect(stack.app('timeline-api').output()).not.toContain('"level":50');
    process.stderr.write(
      `[accepted-means-stored] seed ${SEED}: ${generated} generated envelopes, statuses ${JSON.stringify(statuses)}, ${ids.length} stored and read back in every view\n`,
    );
  }, 400_000);
});
