import { ConfigError, loadConfig, parseApiKeys } from './index.js';

const base = { DATABASE_URL: 'postgres://u:p@localhost:5432/db' };
const sha = 'a'.repeat(64);

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig(base);
    expect(c.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(c.kafka.eventsTopic).toBe('timeline.events');
    expect(c.kafka.dlqTopic).toBe('timeline.events.dlq');
    expect(c.kafka.retentionMs).toBe(-1);
    expect(c.database.schema).toBe('timeline');
    expect(c.projector.groupId).toBe('timeline-projector');
    expect(c.auth.readAccess).toBe('public');
    expect(c.ports).toEqual({ api: 3000, ingest: 3001, projector: 3002 });
    expect(c.projector.sessionTimeoutMs).toBe(30_000);
    expect(c.rateLimits).toEqual({ writesPerMinute: 1200, streamsPerMinute: 120, unauthenticatedPerMinute: 60, store: 'postgres' });
    expect(c.kafka.compression).toBe('none');
    expect(c.kafka.replicationFactor).toBe('auto');
    expect(c.kafka.minInsyncReplicas).toBe('auto');
  });

  it('reads KAFKA_REPLICATION_FACTOR / KAFKA_MIN_INSYNC_REPLICAS as auto or a number', () => {
    const c = loadConfig({ ...base, KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: 'AUTO' });
    expect(c.kafka.replicationFactor).toBe(3);
    expect(c.kafka.minInsyncReplicas).toBe('auto');
    expect(() => loadConfig({ ...base, KAFKA_MIN_INSYNC_REPLICAS: 'two' })).toThrow(/KAFKA_MIN_INSYNC_REPLICAS/);
    expect(() => loadConfig({ ...base, KAFKA_REPLICATION_FACTOR: '0' })).toThrow(/KAFKA_REPLICATION_FACTOR/);
  });

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('reads KAFKA_COMPRESSION=%s', (codec) => {
    expect(loadConfig({ ...base, KAFKA_COMPRESSION: codec }).kafka.compression).toBe(codec);
  });

  it('reads the rate limits (0 = off) and the projector session timeout', () => {
    const c = loadConfig({
      ...base,
      RATE_LIMIT_WRITES_PER_MINUTE: '0',
      RATE_LIMIT_STREAMS_PER_MINUTE: '5',
      RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '7',
      PROJECTOR_SESSION_TIMEOUT_SECONDS: '10',
      RATE_LIMIT_STORE: 'memory',
    });
    expect(c.rateLimits).toEqual({ writesPerMinute: 0, streamsPerMinute: 5, unauthenticatedPerMinute: 7, store: 'memory' });
    expect(() => loadConfig({ ...base, RATE_LIMIT_STORE: 'redis' })).toThrow(/RATE_LIMIT_STORE/);
    expect(c.projector.sessionTimeoutMs).toBe(10_000);
  });

  it('reads INGEST_PUBLIC_URL and INGEST_CORS_ORIGINS, the dashboard editor mode (issue 14), as origins only', () => {
    expect(loadConfig(base).api.ingestPublicUrl).toBeUndefined();
    expect(loadConfig(base).auth.writeCorsOrigins).toEqual([]);
    const c = loadConfig({ ...base, INGEST_PUBLIC_URL: 'https://ingest.example/', INGEST_CORS_ORIGINS: 'https://timeline.example' });
    expect(c.api.ingestPublicUrl).toBe('https://ingest.example');
    expect(c.auth.writeCorsOrigins).toEqual(['https://timeline.example']);
    for (const bad of ['https://ingest.example/v1', 'ingest.example', "'self'", 'https://*.example']) {
      expect(() => loadConfig({ ...base, INGEST_PUBLIC_URL: bad })).toThrow(/^INGEST_PUBLIC_URL/);
    }
    expect(() => loadConfig({ ...base, INGEST_CORS_ORIGINS: 'https://a.example/path' })).toThrow(/^INGEST_CORS_ORIGINS/);
  });

  it('reads EMBED_ORIGINS as CSP frame-ancestors sources and refuses anything that is not an origin (issue 15)', () => {
    expect(loadConfig(base).api.embedOrigins).toEqual([]);
    expect(loadConfig({ ...base, EMBED_ORIGINS: 'https://cms.example, http://localhost:8080' }).api.embedOrigins).toEqual([
      'https://cms.example',
      'http://localhost:8080',
    ]);
    for (const bad of ['https://cms.example/path', "'unsafe-inline'", 'https://a.example; script-src *', '*']) {
      expect(() => loadConfig({ ...base, EMBED_ORIGINS: bad })).toThrow(/^EMBED_ORIGINS/);
    }
  });

  it('bounds the projector PostgreSQL sessions relative to the Kafka session timeout by default', () => {
    expect(loadConfig(base).projector).toMatchObject({ idleInTransactionTimeoutMs: 30_000, lockTimeoutMs: 10_000 });
    expect(loadConfig({ ...base, PROJECTOR_SESSION_TIMEOUT_SECONDS: '10' }).projector).toMatchObject({
      idleInTransactionTimeoutMs: 10_000,
      lockTimeoutMs: 3_333,
    });
    expect(
      loadConfig({ ...base, PROJECTOR_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: '0', PROJECTOR_LOCK_TIMEOUT_SECONDS: '5' }).projector,
    ).toMatchObject({ idleInTransactionTimeoutMs: 0, lockTimeoutMs: 5_000 });
  });

  it.each([
    [{ KAFKA_BROKERS: 'nonsense' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'host:99999' }, 'KAFKA_BROKERS'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ API_PORT: 'eighty' }, 'API_PORT'],
    [{ KAFKA_SSL: 'maybe' }, 'KAFKA_SSL'],
    [{ DATABASE_SCHEMA: 'Robert"); DROP TABLE x;--' }, 'DATABASE_SCHEMA'],
    [{ READ_ACCESS: 'everyone' }, 'READ_ACCESS'],
    [{ KAFKA_SASL_MECHANISM: 'plain' }, 'KAFKA_SASL_USERNAME'],
    [{ RATE_LIMIT_WRITES_PER_MINUTE: '-1' }, 'RATE_LIMIT_WRITES_PER_MINUTE'],
    [{ RATE_LIMIT_STREAMS_PER_MINUTE: 'lots' }, 'RATE_LIMIT_STREAMS_PER_MINUTE'],
    [{ PROJECTOR_SESSION_TIMEOUT_SECONDS: '1' }, 'PROJECTOR_SESSION_TIMEOUT_SECONDS'],
    [{ PROJECTOR_LOCK_TIMEOUT_SECONDS: '30' }, 'PROJECTOR_LOCK_TIMEOUT_SECONDS'],
    [{ PROJECTOR_LOCK_TIMEOUT_SECONDS: '-1' }, 'PROJECTOR_LOCK_TIMEOUT_SECONDS'],
    [{ PROJECTOR_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: 'soon' }, 'PROJECTOR_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS'],
    [{ KAFKA_COMPRESSION: 'brotli' }, 'KAFKA_COMPRESSION'],
    [{ KAFKA_COMPRESSION: 'LZ4' }, 'KAFKA_COMPRESSION'],
  ])('rejects %j naming %s', (env, variable) => {
    let caught: unknown;
    try {
      loadConfig({ ...base, ...env });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as ConfigError).message.startsWith(`${variable}:`)).toBe(true);
  });

  it('requires DATABASE_URL (a secret has no default)', () => {
    expect(() => loadConfig({})).toThrow(/^DATABASE_URL: is required/);
  });

  it('lets an app that works without PostgreSQL (ingest) leave DATABASE_URL out, and still validates one given', () => {
    expect(loadConfig({}, { database: 'optional' }).database).toMatchObject({ configured: false, url: '' });
    expect(loadConfig(base, { database: 'optional' }).database).toMatchObject({ configured: true, url: base.DATABASE_URL });
    expect(() => loadConfig({ DATABASE_URL: 'not a url' }, { database: 'optional' })).toThrow(/^DATABASE_URL/);
  });

  it('never echoes the database password in errors', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:s3cret@/db' })).toThrow(ConfigError);
    try {
      loadConfig({ DATABASE_URL: 'postgres://u:s3cret@/db' });
    } catch (err) {
      expect(String(err)).not.toContain('s3cret');
    }
  });
});

describe('parseApiKeys', () => {
  it('parses name:role:sha256 entries', () => {
    expect(parseApiKeys('API_KEYS', `bot:editor:${sha}, ops:admin:${'B'.repeat(64)}`)).toEqual([
      { name: 'bot', role: 'editor', sha256: sha },
      { name: 'ops', role: 'admin', sha256: 'b'.repeat(64) },
    ]);
  });
  it.each([
    [`bot:root:${sha}`, /role "root"/],
    ['bot:editor:plaintextkey', /SHA-256/],
    [`bot:editor:${sha},bot:reader:${sha}`, /appears twice/],
    ['justakey', /name:role:sha256hex/],
  ])('rejects %s', (value, message) => {
    expect(() => parseApiKeys('API_KEYS', value)).toThrow(message);
  });
});
