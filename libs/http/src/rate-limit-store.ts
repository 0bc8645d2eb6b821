import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { LOGGER } from '@timeline/observability';
import { TokenBucketLimiter, type RateDecision } from './token-bucket-limiter.js';

/**
 * Where token buckets live (issue 13). `scope` names the limit (`writes`, `streams`,
 * `unauthenticated`), `client` the caller (`key:<name>`, `ip:<address>`), `perMinute` the bucket size
 * and refill (perMinute/60 tokens a second).
 */
export interface RateLimitStore {
  take(scope: string, client: string, perMinute: number): Promise<RateDecision>;
}

/** Nest token of the {@link RateLimitStore} the guards use. */
export const RATE_LIMIT_STORE = Symbol.for('timeline.RateLimitStore');

/** Per-process buckets ({@link TokenBucketLimiter}, one per scope and size): M processes allow M × the limit. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly limiters = new Map<string, TokenBucketLimiter>();

  constructor(private readonly now: () => number = Date.now) {}

  take(scope: string, client: string, perMinute: number): Promise<RateDecision> {
    return Promise.resolve(this.takeNow(scope, client, perMinute));
  }

  takeNow(scope: string, client: string, perMinute: number): RateDecision {
    const id = `${scope}/${perMinute}`;
    let limiter = this.limiters.get(id);
    if (!limiter) this.limiters.set(id, (limiter = new TokenBucketLimiter(perMinute, this.now)));
    return limiter.take(client);
  }
}

/** Options of {@link PostgresRateLimitStore}. */
export interface PostgresRateLimitStoreOptions {
  readonly url: string;
  readonly schema: string;
  readonly ssl?: boolean;
  /** A take slower than this counts as failed (then the process's own bucket decides). @default 1000 */
  readonly timeoutMs?: number;
  /** Opening a connection may take this long (a busy server's SCRAM handshake is slow). @default 2000 */
  readonly connectTimeoutMs?: number;
  /** Told at most once a minute when takes fail and the local fallback decides. */
  readonly onFallback?: (err: unknown) => void;
}

/**
 * Buckets shared by every process on one database schema: `rate_limit_take` (migration
 * RateLimits1764290000000) takes a token in one round trip, so a key's budget is the same whether its
 * requests go to one replica or to many. When PostgreSQL cannot answer in time (down, restarting,
 * the function not migrated yet), the request is decided by this process's own bucket instead —
 * availability first: the limit degrades to per-process, it never refuses because the database is away.
 */
export class PostgresRateLimitStore implements RateLimitStore {
  private readonly pool: pg.Pool;
  private readonly fn: string;
  private readonly local = new MemoryRateLimitStore();
  private lastFallbackNote = 0;
  /** Takes decided locally because PostgreSQL failed (for tests and metrics). */
  fallbacks = 0;

  constructor(private readonly opts: PostgresRateLimitStoreOptions) {
    const timeout = opts.timeoutMs ?? 1000;
    this.pool = new pg.Pool({
      connectionString: opts.url,
      ...(opts.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
      max: 2,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 2000,
      query_timeout: timeout,
      statement_timeout: timeout,
      application_name: 'rate-limits',
    });
    this.pool.on('error', () => undefined);
    // Open a connection at boot, so the first limited request does not pay for the handshake.
    this.pool.query('SELECT 1').catch(() => undefined);
    this.fn = `"${opts.schema.replace(/"/g, '""')}".rate_limit_take`;
  }

  async take(scope: string, client: string, perMinute: number): Promise<RateDecision> {
    try {
      const r = await this.pool.query<{ wait: number }>(`SELECT ${this.fn}($1, $2, $3) AS wait`, [scope, client, perMinute]);
      const wait = Number(r.rows[0]?.wait ?? 0);
      return wait <= 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
    } catch (err) {
      this.fallbacks++;
      if (Date.now() - this.lastFallbackNote > 60_000) {
        this.lastFallbackNote = Date.now();
        this.opts.onFallback?.(err);
      }
      return this.local.takeNow(scope, client, perMinute);
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

/**
 * The store configured by RATE_LIMIT_STORE: `postgres` (default, when the process has a database),
 * else `memory`. Closed at shutdown.
 */
@Injectable()
export class ConfiguredRateLimitStore implements RateLimitStore, OnApplicationShutdown {
  private readonly store: MemoryRateLimitStore | PostgresRateLimitStore;
  readonly kind: 'postgres' | 'memory';

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(LOGGER) logger: Logger) {
    const shared = config.rateLimits.store === 'postgres' && config.database.configured;
    this.kind = shared ? 'postgres' : 'memory';
    this.store = shared
      ? new PostgresRateLimitStore({
          url: config.database.url,
          schema: config.database.schema,
          ssl: config.database.ssl,
          onFallback: (err) =>
            logger.warn(
              { err: err instanceof Error ? err.message : String(err) },
              'shared rate limits unavailable (PostgreSQL did not answer in time); this process limits on its own meanwhile',
            ),
        })
      : new MemoryRateLimitStore();
  }

  take(scope: string, client: string, perMinute: number): Promise<RateDecision> {
    return this.store.take(scope, client, perMinute);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.store instanceof PostgresRateLimitStore) await this.store.close();
  }
}
