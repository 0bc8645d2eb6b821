import { Inject, Injectable, Optional, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { clientAddress } from './client-address.js';
import { CodedError } from './problem.js';
import { MemoryRateLimitStore, RATE_LIMIT_STORE, type RateLimitStore } from './rate-limit-store.js';

/** The limits of `AppConfig.rateLimits`: `writes` per API key (or IP), `streams` per IP. */
export type RateLimitBucket = 'writes' | 'streams';

const RATE_LIMIT_KEY = 'timeline:rate-limit';

/** Puts a handler or controller under the {@link RateLimitGuard}'s `bucket` limit. */
export const RateLimited = (bucket: RateLimitBucket) => SetMetadata(RATE_LIMIT_KEY, bucket);

interface LimitedRequest {
  apiKeyName?: string;
  socket?: { remoteAddress?: string };
}

/**
 * Enforces {@link RateLimited} with per-client token buckets (RATE_LIMIT_WRITES_PER_MINUTE,
 * RATE_LIMIT_STREAMS_PER_MINUTE; 0 = off) kept in the {@link RATE_LIMIT_STORE} — PostgreSQL, shared by
 * every replica, unless RATE_LIMIT_STORE=memory (then per process; also the default when no store is
 * provided). A refused request gets `429` problem+json (`RATE_LIMITED`) with `Retry-After`. Register it
 * after the `ApiKeyGuard` so writes are counted per key: one newsroom tool behind a shared NAT address
 * must not starve another.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly perMinute: Record<RateLimitBucket, number>;
  private readonly store: RateLimitStore;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(RATE_LIMIT_STORE) store?: RateLimitStore,
  ) {
    this.perMinute = { writes: config.rateLimits.writesPerMinute, streams: config.rateLimits.streamsPerMinute };
    this.store = store ?? new MemoryRateLimitStore();
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const bucket = this.reflector.getAllAndOverride<RateLimitBucket | undefined>(RATE_LIMIT_KEY, [ctx.getHandler(), ctx.getClass()]);
    const perMinute = bucket ? this.perMinute[bucket] : 0;
    if (!bucket || !(perMinute > 0)) return true;
    const req = ctx.switchToHttp().getRequest<LimitedRequest>();
    const client = bucket === 'writes' && req.apiKeyName ? `key:${req.apiKeyName}` : `ip:${clientAddress(req.socket?.remoteAddress)}`;
    const decision = await this.store.take(bucket, client, perMinute);
    if (decision.allowed) return true;
    throw new CodedError(
      'RATE_LIMITED',
      bucket === 'writes'
        ? `Too many write requests from this client; retry after ${decision.retryAfterSeconds} s (send more events per batch instead of more requests).`
        : `Too many new stream connections from this address; retry after ${decision.retryAfterSeconds} s.`,
      [],
      { retryAfterSeconds: decision.retryAfterSeconds },
    );
  }
}
