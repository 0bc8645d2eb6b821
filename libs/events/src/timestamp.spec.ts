import { eventCatalogue } from './registry.js';
import { statementIssued } from '../../../test/support/index.js';
import { isKnownTimeZone, parseCalendarDate, parseTimestamp } from './timestamp.js';
import { parseEventJson } from './event-json.js';
import { MAX_JSON_DEPTH, storableValueIssues } from './storable-text.js';

const refused = (s: string) => parseTimestamp(s).ok === false;

describe('parseTimestamp — the one rule of what timestamptz stores and Date renders', () => {
  it('accepts ordinary timestamps and normalises them to UTC', () => {
    expect(parseTimestamp('2022-02-24T05:00:00+03:00')).toEqual({
      ok: true,
      epochMs: Date.UTC(2022, 1, 24, 2),
      iso: '2022-02-24T02:00:00.000Z',
    });
    expect(parseTimestamp('2024-02-29T00:00:00Z').ok).toBe(true);
    expect(parseTimestamp('2000-02-29T23:59:59.123456789Z')).toMatchObject({ ok: true, iso: '2000-02-29T23:59:59.123Z' });
    expect(parseTimestamp('2022-01-24t10:00:00z').ok).toBe(true);
  });

  it.each(['2022-02-30T00:00:00Z', '2022-02-29T00:00:00Z', '2021-02-29T00:00:00Z', '2022-04-31T00:00:00Z', '1900-02-29T00:00:00Z'])(
    'refuses the impossible calendar date %s (no roll-over)',
    (s) => expect(parseTimestamp(s)).toMatchObject({ ok: false, message: expect.stringContaining('is not a calendar date') }),
  );

  it('refuses year zero and instants that convert to 1 BC or to year 10000', () => {
    expect(parseTimestamp('0000-01-01T00:00:00Z')).toMatchObject({ ok: false, message: expect.stringContaining('year 0000') });
    expect(refused('0001-01-01T00:00:00+00:01')).toBe(true);
    expect(refused('9999-12-31T23:59:59-00:01')).toBe(true);
    expect(refused('9999-12-31T23:59:59.9999996Z')).toBe(true); // PostgreSQL rounds it to 10000-01-01
    expect(parseTimestamp('0001-01-01T00:00:00Z')).toMatchObject({ ok: true, iso: '0001-01-01T00:00:00.000Z' });
    expect(parseTimestamp('0001-01-01T00:01:00+00:01')).toMatchObject({ ok: true, iso: '0001-01-01T00:00:00.000Z' });
    expect(parseTimestamp('9999-12-31T23:59:59.999999Z')).toMatchObject({ ok: true, iso: '9999-12-31T23:59:59.999Z' });
    expect(parseTimestamp('9999-12-31T23:59:59+00:01').ok).toBe(true);
  });

  it.each(['+16:00', '-23:00', '+23:59', '-16:00', '+10:60'])('refuses the offset %s (PostgreSQL allows ±15:59)', (offset) => {
    expect(parseTimestamp(`2022-01-24T10:00:00${offset}`)).toMatchObject({ ok: false, message: expect.stringContaining('offset') });
  });

  it('accepts the widest offsets PostgreSQL accepts', () => {
    expect(parseTimestamp('2022-01-24T10:00:00+15:59').ok).toBe(true);
    expect(parseTimestamp('2022-01-24T10:00:00-15:59').ok).toBe(true);
  });

  it('refuses missing offsets, leap seconds, hour 24 and other shapes', () => {
    for (const s of [
      '2022-01-24T10:00:00',
      '2016-12-31T23:59:60Z',
      '2022-01-24T24:00:00Z',
      '2022-01-24',
      '2022-1-24T10:00:00Z',
      ' 2022-01-24T10:00:00Z',
    ]) {
      expect(refused(s)).toBe(true);
    }
  });

  it('parses calendar dates of years 0001 to 9999 (Date.UTC would map year 1 to 1901)', () => {
    expect(parseCalendarDate('0001-01-01')).toMatchObject({ ok: true, iso: '0001-01-01T00:00:00.000Z' });
    expect(parseCalendarDate('9999-12-31')).toMatchObject({ ok: true, iso: '9999-12-31T00:00:00.000Z' });
    expect(parseCalendarDate('0000-01-01').ok).toBe(false);
    expect(parseCalendarDate('2022-02-30').ok).toBe(false);
  });
});

describe('isKnownTimeZone', () => {
  it('knows IANA zones and their aliases, not invented names or bare offsets', () => {
    for (const z of ['Europe/Kyiv', 'Europe/Kiev', 'Europe/Moscow', 'America/New_York', 'UTC', 'Etc/GMT+3'])
      expect(isKnownTimeZone(z)).toBe(true);
    for (const z of ['Mars/Olympus', 'Europe/Atlantis', '+03:00', 'Nowhere']) expect(isKnownTimeZone(z)).toBe(false);
  });
});

describe('parseEventJson and storableValueIssues — bounded, never throwing', () => {
  it('refuses deep nesting before parsing (100,000 levels: no RangeError)', () => {
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    expect(parseEventJson(Buffer.from(deep))).toMatchObject({
      ok: false,
      code: 'EVENT.MALFORMED_JSON',
      message: expect.stringContaining('levels deep'),
    });
    expect(parseEventJson('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(parseEventJson('{"s":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"["}').ok).toBe(true);
  });

  it('refuses invalid UTF-8 instead of replacing it', () => {
    expect(parseEventJson(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))).toMatchObject({
      ok: false,
      message: expect.stringContaining('UTF-8'),
    });
  });

  it('finds unpaired surrogates and nesting in an already parsed value, iteratively', () => {
    expect(storableValueIssues({ a: 'a\ud800b', b: '\udc00', ok: '😀' }).map((i) => i.path)).toEqual(['/a', '/b']);
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(storableValueIssues({ deep })).toEqual([
      { path: '/deep' + '/0'.repeat(MAX_JSON_DEPTH - 1), message: expect.stringContaining('levels deep') },
    ]);
  });
});

describe('EventCatalogue.decode refuses what PostgreSQL cannot store or views cannot render (issue 19)', () => {
  const valid = statementIssued() as unknown as Record<string, unknown> & { payload: Record<string, unknown> };

  it.each([
    ['summary', { summary: 'a\ud800b' }, '/summary'],
    ['quote', { payload: { ...valid.payload, quote: 'a\ud800b' } }, '/payload/quote'],
    ['occurredAt 2022-02-30', { occurredAt: '2022-02-30T00:00:00Z' }, '/occurredAt'],
    ['occurredAt year 0', { occurredAt: '0000-01-01T00:00:00Z' }, '/occurredAt'],
    ['occurredAt +16:00', { occurredAt: '2022-01-25T00:00:00+16:00' }, '/occurredAt'],
    ['occurredUntil -23:00', { occurredUntil: '2022-01-26T00:00:00-23:00' }, '/occurredUntil'],
    ['occurredAt year 10000 in UTC', { occurredAt: '9999-12-31T23:59:59-00:01' }, '/occurredAt'],
    ['occurredTz', { occurredTz: 'Mars/Olympus' }, '/occurredTz'],
  ])('refuses %s with the field path', (_name, change, path) => {
    const r = eventCatalogue.decode({ ...valid, ...change });
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toContain(path);
  });

  it('says what is wrong with a timestamp', () => {
    const r = eventCatalogue.decode({ ...valid, occurredAt: '2022-02-30T00:00:00Z' });
    expect(r).toMatchObject({ ok: false, issues: [{ path: '/occurredAt', message: expect.stringContaining('2022-02 has 28 days') }] });
  });

  it('refuses a 10,000-level payload with a 4xx-able result instead of throwing', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(() => eventCatalogue.decode({ ...valid, payload: { ...valid.payload, deep } })).not.toThrow();
    expect(eventCatalogue.decode({ ...valid, payload: { ...valid.payload, deep } })).toMatchObject({
      ok: false,
      code: 'EVENT.INVALID_PAYLOAD',
    });
  });
});
