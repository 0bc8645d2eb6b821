import type { EntryRow } from '../read-model/timeline-sql.js';
import { dateParts, displayDate, localDay } from './display-date.js';
import { UNRENDERABLE_DATE, entryView, onRenderFailure } from './entry-view.js';

describe('displayDate', () => {
  it.each([
    ['2022-01-24T00:00:00Z', 'day', null, null, '24 January 2022'],
    ['2022-01-24T14:00:00Z', 'hour', null, null, '24 January 2022, 14:00 UTC'],
    ['2022-01-24T14:35:00Z', 'minute', null, null, '24 January 2022, 14:35 UTC'],
    ['2022-01-24T14:35:07Z', 'second', null, null, '24 January 2022, 14:35:07 UTC'],
    ['2022-02-21T19:35:00Z', 'minute', null, 'Europe/Moscow', '21 February 2022, 22:35 (Europe/Moscow)'],
    ['2022-02-10T00:00:00Z', 'day', '2022-02-20T00:00:00Z', null, '10–20 February 2022'],
    ['2022-01-28T00:00:00Z', 'day', '2022-02-02T00:00:00Z', null, '28 January – 2 February 2022'],
    ['2021-12-30T00:00:00Z', 'day', '2022-01-02T00:00:00Z', null, '30 December 2021 – 2 January 2022'],
    ['2022-01-24T14:00:00Z', 'hour', '2022-01-24T16:00:00Z', null, '24 January 2022, 14:00–16:00 UTC'],
  ] as const)('%s (%s, until %s, tz %s) → %s', (at, precision, until, tz, expected) => {
    expect(displayDate(at, precision, until, tz)).toBe(expected);
  });

  it('never invents a time of day for day precision, even when the stored instant has one', () => {
    expect(displayDate('2022-01-24T13:47:00Z', 'day')).toBe('24 January 2022');
    expect(dateParts('2022-01-24T13:47:00Z', 'day')).toEqual({ year: 2022, month: 1, day: 24 });
  });

  it('keeps a day-precision date stored as midnight UTC on its calendar day, whatever the reported zone', () => {
    expect(displayDate('2021-11-10T00:00:00Z', 'day', null, 'America/New_York')).toBe('10 November 2021');
    expect(localDay('2021-11-10T00:00:00Z', 'day', 'America/New_York')).toBe('2021-11-10');
    expect(displayDate('2022-02-10T00:00:00Z', 'day', '2022-02-20T00:00:00Z', 'Europe/Minsk')).toBe('10–20 February 2022');
  });

  it('dates a local midnight written with its offset in the reported zone (Moscow midnight is 21 February)', () => {
    expect(displayDate('2022-02-20T21:00:00Z', 'day', null, 'Europe/Moscow')).toBe('21 February 2022');
    expect(localDay('2022-02-20T21:00:00Z', 'day', 'Europe/Moscow')).toBe('2022-02-21');
  });

  it('shows times in the reported zone', () => {
    expect(displayDate('2022-02-24T02:00:00Z', 'hour', null, 'Europe/Moscow')).toBe('24 February 2022, 05:00 (Europe/Moscow)');
    expect(localDay('2022-02-23T22:00:00Z', 'hour', 'Europe/Moscow')).toBe('2022-02-24');
  });

  it('falls back to UTC for a zone the runtime does not know', () => {
    expect(displayDate('2022-01-24T14:00:00Z', 'hour', null, 'Mars/Olympus_Mons')).toBe('24 January 2022, 14:00 UTC');
  });

  it('cuts date parts to the precision', () => {
    expect(dateParts('2022-01-24T14:35:07Z', 'hour')).toEqual({ year: 2022, month: 1, day: 24, hour: 14 });
    expect(dateParts('2022-01-24T14:35:07Z', 'minute')).toEqual({ year: 2022, month: 1, day: 24, hour: 14, minute: 35 });
    expect(dateParts('2022-01-24T00:00:00Z', 'second')).toEqual({ year: 2022, month: 1, day: 24, hour: 0, minute: 0, second: 0 });
  });

  it('tells 1 BC from AD 1 at the lower end of the supported range (issue 19)', () => {
    expect(displayDate('0001-01-01T00:00:00Z', 'hour', null, 'America/New_York')).toBe('31 December 1 BC, 19:00 (America/New_York)');
    expect(localDay('0001-01-01T00:00:00Z', 'hour', 'America/New_York')).toBe('0000-12-31');
    expect(displayDate('0001-01-01T00:00:00Z', 'day')).toBe('1 January 1');
    expect(displayDate('9999-12-31T23:00:00Z', 'hour', null, 'Asia/Tokyo')).toBe('1 January 10000, 08:00 (Asia/Tokyo)');
  });

  it('throws on a stored value Date cannot hold, for the caller to mark (never a silent "Invalid Date")', () => {
    expect(() => displayDate('10000-01-01T00:00:00Z', 'day')).toThrow(RangeError);
  });
});

describe('entryView', () => {
  const row = {
    entry_id: '7d0f6f40-3c4e-4a57-9d3c-1f1b0e7d2a10',
    story_id: 'russia-ukraine-2022',
    type: 'statement.issued',
    cameo_code: null,
    occurred_at: '10000-01-01T00:00:59.000000Z',
    occurred_precision: 'second',
    occurred_until: null,
    occurred_tz: null,
    recorded_at: '2022-01-25T12:00:00.000000Z',
    updated_at: '2022-01-25T12:00:00.000000Z',
    version: 1,
    status: 'live',
    confirmation: 'confirmed',
    summary: 'x',
    actors: [],
    locations: [],
    sources: [],
    tags: [],
    payload: {},
  } as unknown as EntryRow;

  it('renders a row stored before the range rule with a marker and reports it, instead of failing the page', () => {
    const reported: string[] = [];
    onRenderFailure((id) => reported.push(id));
    const view = entryView(row);
    expect(view).toMatchObject({ displayDate: UNRENDERABLE_DATE, day: '10000-01-01', occurredAt: '10000-01-01T00:00:59Z' });
    expect(view.renderProblem).toContain('cannot be rendered');
    expect(reported).toEqual([row.entry_id]);
    expect(entryView({ ...row, occurred_at: '2022-01-25T00:00:00.000000Z' }).renderProblem).toBeUndefined();
  });
});
