import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Optional, SetMetadata, applyDecorators, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import { APP_CONFIG, ROLES, type ApiKeyEntry, type AppConfig, type Role } from '@timeline/config';
import { clientAddress } from './client-address.js';
import { CodedError } from './problem.js';
import { MemoryRateLimitStore, RATE_LIMIT_STORE, type RateLimitStore } from './rate-limit-store.js';

const ROLE_KEY = 'timeline:required-role';

/** The header clients send their key in (`Authorization: Bearer …` works too). */
export const API_KEY_HEADER = 'X-API-Key';
/** Name of the OpenAPI security scheme for {@link API_KEY_HEADER}. */
export const API_KEY_SCHEME = 'apiKey';
/** OpenAPI operation extension naming the role {@link RequireRole} demands (createHttpApp turns it into `security`). */
export const REQUIRED_ROLE_EXTENSION = 'x-required-role';

/**
 * Marks a handler or controller as needing at least `role`. `reader` endpoints are public unless
 * READ_ACCESS=key. The same decorator documents it (`x-required-role` → the operation's `security`),
 * so the OpenAPI document cannot drift from what the guard enforces (issue 18). A handler's own role
 * wins over its controller's, in the guard and in the document alike.
 */
export const RequireRole = (role: Role) => applyDecorators(SetMetadata(ROLE_KEY, role), ApiExtension(REQUIRED_ROLE_EXTENSION, role));

/** SHA-256 hex of a key, the form keys are configured in. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Finds the key's entry by comparing digests in constant time (every entry is compared). */
export function matchApiKey(presented: string, keys: readonly ApiKeyEntry[]): ApiKeyEntry | undefined {
  const digest = Buffer.from(hashApiKey(presented), 'hex');
  let found: ApiKeyEntry | undefined;
  for (const k of keys) {
    if (timingSafeEqual(digest, Buffer.from(k.sha256, 'hex')) && !found) found = k;
  }
  return found;
}

/** The key presented in `X-API-Key` or `Authorization: Bearer …`, if any. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x.length > 0) return x;
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Enforces {@link RequireRole}; 401 when no or an unknown key, 403 when the key's role is too weak.
 * Requests without a valid key are themselves rate-limited per client address
 * (RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE; then 429 + Retry-After), so key guessing and anonymous
 * floods cost the caller, not the service. Guards run before the body is read (JsonBodyInterceptor),
 * so a refused request's body is never parsed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly store: RateLimitStore;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // The same store as the RateLimitGuard's: shared across replicas unless RATE_LIMIT_STORE=memory.
    @Optional() @Inject(RATE_LIMIT_STORE) store?: RateLimitStore,
  ) {
    this.store = store ?? new MemoryRateLimitStore();
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!required) return true;
    if (required === 'reader' && this.config.auth.readAccess === 'public') return true;
    const req = ctx.switchToHttp().getRequest<{
      headers: Record<string, string | string[] | undefined>;
      apiKeyName?: string;
      socket?: { remoteAddress?: string };
    }>();
    const key = presentedKey(req.headers);
    const entry = key ? matchApiKey(key, this.config.auth.apiKeys) : undefined;
    if (!entry) {
      await this.limitAnonymous(req.socket?.remoteAddress);
      if (!key) {
        throw new CodedError('AUTH.MISSING_KEY', `This endpoint needs an API key with the "${required}" role in the X-API-Key header.`);
      }
      throw new CodedError('AUTH.INVALID_KEY', 'The API key is not valid.');
    }
    if (ROLES.indexOf(entry.role) < ROLES.indexOf(required)) {
      throw new CodedError('AUTH.FORBIDDEN', `This key has the "${entry.role}" role; this endpoint needs "${required}".`);
    }
    req.apiKeyName = entry.name;
    return true;
  }

  private async limitAnonymous(remoteAddress: string | undefined): Promise<void> {
    const perMinute = this.config.rateLimits.unauthenticatedPerMinute;
    if (!(perMinute > 0)) return;
    const decision = await this.store.take('unauthenticated', `ip:${clientAddress(remoteAddress)}`, perMinute);
    if (decision.allowed) return;
    throw new CodedError(
      'RATE_LIMITED',
      `Too many requests without a valid API key from this address; retry after ${decision.retryAfterSeconds} s with a valid X-API-Key.`,
      [],
      { retryAfterSeconds: decision.retryAfterSeconds },
    );
  }
}
