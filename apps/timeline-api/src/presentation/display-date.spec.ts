import { dateParts, displayDate, localDay } from './display-date.js';

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
});
