import { loadConfig } from '@timeline/config';
import { InvalidTokenError, SignedTokenCodec } from './signed-token.codec.js';
import { PageCursorCodec } from './page-cursor.js';

const codec = new SignedTokenCodec(Buffer.alloc(32, 7));

describe('SignedTokenCodec', () => {
  it('round-trips a value', () => {
    const token = codec.encode('k', { a: [1, 'x'] });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(codec.decode('k', token)).toEqual({ a: [1, 'x'] });
  });

  it('refuses an altered body, a token of another kind, another key and garbage', () => {
    const token = codec.encode('k', { a: 1 });
    const [, tag] = token.split('.');
    const altered = `${Buffer.from(JSON.stringify({ a: 2 })).toString('base64url')}.${tag}`;
    expect(() => codec.decode('k', altered)).toThrow(InvalidTokenError);
    expect(() => codec.decode('other', token)).toThrow(InvalidTokenError);
    expect(() => new SignedTokenCodec(Buffer.alloc(32, 8)).decode('k', token)).toThrow(InvalidTokenError);
    for (const junk of ['', 'abc', 'a.b.c', '..', 'é.x']) expect(() => codec.decode('k', junk)).toThrow(InvalidTokenError);
  });

  it('shares API_CURSOR_SECRET between instances; without it, a random key per process, never one derivable from DATABASE_URL', () => {
    const env = { DATABASE_URL: 'postgres://u:p@db:5432/timeline', API_CURSOR_SECRET: 's'.repeat(32) };
    const a = SignedTokenCodec.fromConfig(loadConfig(env));
    const b = SignedTokenCodec.fromConfig(loadConfig(env));
    const other = SignedTokenCodec.fromConfig(loadConfig({ ...env, API_CURSOR_SECRET: 'x'.repeat(32) }));
    const token = a.encode('k', 1);
    expect(b.decode('k', token)).toBe(1);
    expect(() => other.decode('k', token)).toThrow(InvalidTokenError);
    const { API_CURSOR_SECRET: _unset, ...noSecret } = env;
    let warned = 0;
    const x = SignedTokenCodec.fromConfig(loadConfig(noSecret), () => warned++);
    const y = SignedTokenCodec.fromConfig(loadConfig(noSecret), () => warned++);
    expect(warned).toBe(2);
    expect(() => y.decode('k', x.encode('k', 1))).toThrow(InvalidTokenError);
  });

  it('refuses to start in production without API_CURSOR_SECRET, naming the variable', () => {
    expect(() =>
      SignedTokenCodec.fromConfig(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/timeline', NODE_ENV: 'production' })),
    ).toThrow(/API_CURSOR_SECRET/);
  });
});

describe('PageCursorCodec', () => {
  const cursors = new PageCursorCodec(codec);
  const key = {
    occurredAt: '2022-01-24T00:00:00.000000Z',
    recordedAt: '2022-01-24T18:00:00.123456Z',
    entryId: '6f1c2a0e-0000-4000-8000-000000000001',
  };

  it('round-trips a keyset position for the same query only', () => {
    const c = cursors.encode(key, 'fp1');
    expect(cursors.decode(c, 'fp1')).toEqual(key);
    expect(() => cursors.decode(c, 'fp2')).toThrow(/different query/);
  });

  it('answers a forged cursor with a 400 naming `cursor`', () => {
    expect(() => cursors.decode('eyJ2IjoxfQ.AAAAAAAAAAAAAAAAAAAAAA', 'fp1')).toThrow(
      expect.objectContaining({ code: 'QUERY.INVALID_PARAMETER', errors: [expect.objectContaining({ path: 'cursor' })] }),
    );
  });

  it('range-checks a correctly signed cursor before SQL (issue 19: 0000-01-01 in a forged cursor was a 500)', () => {
    for (const bad of ['0000-01-01T00:00:00.000000Z', '2022-02-30T00:00:00.000000Z']) {
      const signed = cursors.encode({ ...key, occurredAt: bad }, 'fp1');
      expect(() => cursors.decode(signed, 'fp1')).toThrow(expect.objectContaining({ code: 'QUERY.INVALID_PARAMETER' }));
    }
    const edge = { ...key, occurredAt: '0001-01-01T00:00:00.000000Z' };
    expect(cursors.decode(cursors.encode(edge, 'fp1'), 'fp1')).toEqual(edge);
  });
});
