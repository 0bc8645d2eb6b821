import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { clientAddress } from './client-address.js';
import { CodedError } from './problem.js';
import { TokenBucketLimiter } from './token-bucket-limiter.js';

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
 * RATE_LIMIT_STREAMS_PER_MINUTE; 0 = off). A refused request gets `429` problem+json
 * (`RATE_LIMITED`) with `Retry-After`. Register it after the `ApiKeyGuard` so writes are counted per
 * key: one newsroom tool behind a shared NAT address must not starve another.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly limiters: Record<RateLimitBucket, TokenBucketLimiter | undefined>;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const { writesPerMinute, streamsPerMinute } = config.rateLimits;
    this.limiters = {
      writes: writesPerMinute > 0 ? new TokenBucketLimiter(writesPerMinute) : undefined,
      streams: streamsPerMinute > 0 ? new TokenBucketLimiter(streamsPerMinute) : undefined,
    };
  }

  canActivate(ctx: ExecutionContext): boolean {
    const bucket = this.reflector.getAllAndOverride<RateLimitBucket | undefined>(RATE_LIMIT_KEY, [ctx.getHandler(), ctx.getClass()]);
    const limiter = bucket ? this.limiters[bucket] : undefined;
    if (!bucket || !limiter) return true;
    const req = ctx.switchToHttp().getRequest<LimitedRequest>();
    const client = bucket === 'writes' && req.apiKeyName ? `key:${req.apiKeyName}` : `ip:${clientAddress(req.socket?.remoteAddress)}`;
    const decision = limiter.take(client);
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
