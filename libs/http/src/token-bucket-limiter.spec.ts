import { TokenBucketLimiter } from './token-bucket-limiter.js';

describe('TokenBucketLimiter', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('allows a burst of the per-minute limit, then refuses with the seconds until the next token', () => {
    const limiter = new TokenBucketLimiter(6, clock);
    for (let i = 0; i < 6; i++) expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    now += 4_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 6 });
    now += 6_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('keeps one bucket per client', () => {
    const limiter = new TokenBucketLimiter(1, clock);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('never refills above the burst', () => {
    const limiter = new TokenBucketLimiter(2, clock);
    limiter.take('a');
    now += 3_600_000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('bounds memory: idle clients are forgotten first, then the least recently used', () => {
    const limiter = new TokenBucketLimiter(2, clock, 3);
    limiter.take('busy-1');
    limiter.take('busy-1');
    limiter.take('idle');
    now += 60_000; // idle has refilled; busy-1 has too, but we touch it again
    limiter.take('busy-1');
    limiter.take('busy-1');
    limiter.take('busy-2');
    limiter.take('new');
    expect(limiter.size).toBe(3);
    // busy-1 was not forgotten: it is still out of tokens.
    expect(limiter.take('busy-1').allowed).toBe(false);
  });

  it('refuses a non-positive limit (0 means "no limiter" to its callers)', () => {
    expect(() => new TokenBucketLimiter(0)).toThrow();
  });
});
