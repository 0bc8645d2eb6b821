import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConfigError, type AppConfig } from '@timeline/config';

/** Why a presented token was refused (forged, truncated, from another deployment, …). */
export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

/** Length of the truncated HMAC-SHA256 tag, in bytes (128 bits is ample against forgery). */
const TAG_BYTES = 16;

/**
 * Encodes small JSON objects as opaque, tamper-evident tokens: `base64url(json).base64url(hmac)`.
 * Used for pagination cursors and stream resume tokens so clients cannot hand-craft positions
 * (a forged token is a clear 400, never a confusing page).
 */
export class SignedTokenCodec {
  constructor(private readonly key: Buffer) {}

  /**
   * The codec for a deployment, keyed by API_CURSOR_SECRET (every API instance of a deployment must
   * share it). Production refuses to start without one. Elsewhere a missing secret gets a random key
   * for this process (`onEphemeral` is told: cursors then die with the process) — never one derived
   * from DATABASE_URL, whose development value is in the repository (issue 19: forgeable cursors).
   * `npm start` and `npm test` pass a random per-data-directory key (tools/infra/dev-secret.js).
   */
  static fromConfig(config: AppConfig, onEphemeral: () => void = () => undefined): SignedTokenCodec {
    let material = config.api.cursorSecret;
    if (!material) {
      if (config.env === 'production') {
        throw new ConfigError(
          'API_CURSOR_SECRET',
          'is required in production: the key that signs cursors and resume tokens, shared by every API instance (e.g. `openssl rand -base64 32`)',
        );
      }
      onEphemeral();
      material = randomBytes(32).toString('base64url');
    }
    return new SignedTokenCodec(createHmac('sha256', 'timeline-api/signed-token/v1').update(material).digest());
  }

  encode(kind: string, value: unknown): string {
    const body = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    return `${body}.${this.tag(kind, body).toString('base64url')}`;
  }

  /** Verifies and parses a token of `kind`; throws {@link InvalidTokenError} when it is not ours. */
  decode(kind: string, token: string): unknown {
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.') || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
      throw new InvalidTokenError('is not a token issued by this API');
    }
    const body = token.slice(0, dot);
    const presented = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.tag(kind, body);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new InvalidTokenError('has been altered or was not issued by this API');
    }
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
    } catch {
      throw new InvalidTokenError('is not a token issued by this API');
    }
  }

  private tag(kind: string, body: string): Buffer {
    // The kind is part of the MAC so a resume token can never be replayed as a cursor or vice versa.
    return createHmac('sha256', this.key).update(`${kind}\u0000${body}`).digest().subarray(0, TAG_BYTES);
  }
}
