import { parseReplayInstant, parseReplayWindow } from './replay-window.js';

describe('parseReplayWindow', () => {
  it('makes a date-only "to" cover its whole day and keeps a timestamp "to" inclusive', () => {
    expect(parseReplayWindow({ from: '2022-01-20', to: '2022-01-26' })).toEqual({
      window: { from: '2022-01-20T00:00:00.000Z', to: '2022-01-27T00:00:00.000Z', toExclusive: true },
    });
    expect(parseReplayWindow({ from: '2022-01-20T06:00:00+02:00', to: '2022-01-20T12:00:00Z', asOf: '2022-01-25T12:00:00Z' })).toEqual({
      window: { from: '2022-01-20T04:00:00.000Z', to: '2022-01-20T12:00:00.000Z', toExclusive: false, asOf: '2022-01-25T12:00:00.000Z' },
    });
    expect(parseReplayWindow({})).toEqual({ window: {} });
    // One day: from and to on the same date.
    expect(parseReplayWindow({ from: '2022-01-24', to: '2022-01-24' })).toHaveProperty('window.to', '2022-01-25T00:00:00.000Z');
  });

  it('names every bad input at once', () => {
    expect(parseReplayWindow({ from: '2022-02-30', to: 'yesterday', asOf: '2022-01-25T12:00' })).toEqual({
      problems: [
        { path: 'from', message: expect.stringMatching(/must be a date/) },
        { path: 'to', message: expect.stringMatching(/must be a date/) },
        { path: 'asOf', message: expect.stringMatching(/must be a date/) },
      ],
    });
    expect(parseReplayWindow({ from: '2022-01-26', to: '2022-01-20' })).toEqual({
      problems: [{ path: 'to', message: 'must not be before "from"' }],
    });
  });

  it('rejects impossible calendar values and accepts offsets and fractions', () => {
    expect(parseReplayInstant('2022-01-24T25:00:00Z')).toBeUndefined();
    expect(parseReplayInstant('2022-13-01')).toBeUndefined();
    expect(parseReplayInstant('2022-01-24T10:00:00.123456-05:00')).toEqual({ iso: '2022-01-24T15:00:00.123Z', dateOnly: false });
  });
});
