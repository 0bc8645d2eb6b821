import { fixedClock, systemClock } from './index.js';

describe('Clock', () => {
  it('systemClock follows the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('fixedClock always answers the same instant, as a fresh Date', () => {
    const clock = fixedClock('2022-01-24T18:00:00Z');
    const a = clock.now();
    a.setFullYear(1999);
    expect(clock.now().toISOString()).toBe('2022-01-24T18:00:00.000Z');
    expect(() => fixedClock('yesterday')).toThrow(RangeError);
  });
});
