import type { DataSource } from 'typeorm';
import { createTestDatabase, testConfig } from '../../../test/support/index.js';
import { MemoryRateLimitStore, PostgresRateLimitStore } from './rate-limit-store.js';

/**
 * Issue 13, item 4: rate limits that hold across replicas. Two PostgresRateLimitStore instances stand
 * for two app processes on one database schema (real PostgreSQL, migrated): together they allow one
 * budget; two memory stores (the per-process limiter) allow one budget each.
 */
describe('PostgresRateLimitStore (buckets shared across processes)', () => {
  const { config } = testConfig();
  let ds: DataSource;
  let drop: () => Promise<void>;
  const stores: PostgresRateLimitStore[] = [];
  const store = () => {
    const s = new PostgresRateLimitStore({ url: config.database.url, schema: config.database.schema });
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await drop();
  });

  it('two processes share one budget: 10 per minute in total, then Retry-After ≈ one token (6 s)', async () => {
    const [a, b] = [store(), store()];
    const decisions = [];
    for (let i = 0; i < 10; i++) decisions.push(await (i % 2 ? a : b).take('writes', 'key:alice', 10));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    const refusedA = await a.take('writes', 'key:alice', 10);
    const refusedB = await b.take('writes', 'key:alice', 10);
    for (const r of [refusedA, refusedB]) {
      expect(r.allowed).toBe(false);
      if (!r.allowed) expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(5);
      if (!r.allowed) expect(r.retryAfterSeconds).toBeLessThanOrEqual(6);
    }
    // Another key and another scope have buckets of their own.
    expect((await a.take('writes', 'key:bob', 10)).allowed).toBe(true);
    expect((await b.take('streams', 'key:alice', 10)).allowed).toBe(true);
    expect(a.fallbacks + b.fallbacks).toBe(0);
  });

  it('the per-process memory store, for contrast, gives each process the whole budget', async () => {
    const [a, b] = [new MemoryRateLimitStore(), new MemoryRateLimitStore()];
    let allowed = 0;
    for (let i = 0; i < 20; i++) if ((await (i % 2 ? a : b).take('writes', 'key:alice', 10)).allowed) allowed++;
    expect(allowed).toBe(20);
  });

  it('concurrent takes from several processes never over-grant: exactly the budget passes', async () => {
    const procs = [store(), store(), store()];
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => procs[i % 3]!.take('writes', 'key:burst', 25)));
    expect(results.filter((r) => r.allowed)).toHaveLength(25);
  });

  it('refills at perMinute/60 a second: a drained bucket of 60/min passes one more a second later', async () => {
    const s = store();
    let drained = false;
    for (let i = 0; i < 200 && !drained; i++) drained = !(await s.take('writes', 'key:refill', 60)).allowed;
    expect(drained).toBe(true);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await s.take('writes', 'key:refill', 60)).allowed).toBe(true);
    const stored: { tokens: number }[] = await ds.query(
      `SELECT tokens FROM rate_limit_buckets WHERE scope = 'writes' AND client = 'key:refill'`,
    );
    expect(stored[0]!.tokens).toBeLessThan(60);
  });

  it('falls back to its own bucket when PostgreSQL does not answer (and says so once)', async () => {
    const notes: unknown[] = [];
    const down = new PostgresRateLimitStore({
      url: 'postgres://nobody:x@127.0.0.1:9/none',
      schema: config.database.schema,
      timeoutMs: 300,
      connectTimeoutMs: 300,
      onFallback: (err) => notes.push(err),
    });
    stores.push(down);
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await down.take('writes', 'key:alice', 3));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(down.fallbacks).toBe(4);
    expect(notes).toHaveLength(1);
  });
});
