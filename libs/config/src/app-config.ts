import { ConfigError } from './config-error.js';
import { EnvReader, parseBrokers, parseDatabaseUrl, parseSchemaName } from './env-parsers.js';

/** Access roles, in increasing order of power: an `admin` key may do what an `editor` may, and so on. */
export const ROLES = ['reader', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** One configured API key: only its SHA-256 digest is ever held in memory or config. */
export interface ApiKeyEntry {
  readonly name: string;
  readonly role: Role;
  /** Lower-case hex SHA-256 of the key. */
  readonly sha256: string;
}

/** Compression codecs Kafka defines (the record batch attribute), as `KAFKA_COMPRESSION` names them. */
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];

export interface KafkaConfig {
  readonly brokers: string[];
  readonly clientId: string;
  readonly ssl: boolean;
  readonly sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** Main event topic. @default "timeline.events" */
  readonly eventsTopic: string;
  /** Dead-letter topic. @default "timeline.events.dlq" */
  readonly dlqTopic: string;
  /** Partitions used when the topics are created at boot. @default 6 */
  readonly partitions: number;
  /** Retention of the events topic in ms; -1 keeps forever (it is the system of record). @default -1 */
  readonly retentionMs: number;
  /**
   * Replication factor of the topics the apps create; `auto` = 3 copies when the cluster has ≥ 3
   * brokers, else one per broker (1 on a single broker). @default "auto"
   */
  readonly replicationFactor: number | 'auto';
  /**
   * `min.insync.replicas` of the created topics (acks=all then needs this many copies); `auto` = 2 when
   * the replication factor is ≥ 3, else 1. @default "auto"
   */
  readonly minInsyncReplicas: number | 'auto';
  /**
   * Codec of the record batches ingest (and `cli seed`) publish. Consumers here decode every codec
   * whatever this says. @default "none"
   */
  readonly compression: KafkaCompression;
}

export interface DatabaseConfig {
  /** False only for an app that may run without a database (ingest) when DATABASE_URL is unset; then `url` is empty. */
  readonly configured: boolean;
  readonly url: string;
  readonly ssl: boolean;
  /** Schema holding the event log, offsets and read model. @default "timeline" */
  readonly schema: string;
  /** Pool size per process. @default 10 */
  readonly poolSize: number;
}

export interface AuthConfig {
  readonly apiKeys: readonly ApiKeyEntry[];
  /** `public`: reads need no key; `key`: reads need at least a `reader` key. @default "public" */
  readonly readAccess: 'public' | 'key';
  /** Origins allowed by CORS on read endpoints. @default [] */
  readonly corsOrigins: readonly string[];
  /**
   * Origins (the dashboard's, `https://timeline.newsroom.example`) whose pages may POST events to
   * ingest from a browser (INGEST_CORS_ORIGINS): the dashboard's editor mode. A write still needs an
   * editor key in X-API-Key; CORS only lets that page send it. Empty: ingest answers no preflight. @default []
   */
  readonly writeCorsOrigins: readonly string[];
}

export interface ProjectorConfig {
  /** Kafka consumer group. @default "timeline-projector" */
  readonly groupId: string;
  /** Upper bound of bytes fetched per partition per batch (keeps memory flat). @default 1048576 */
  readonly maxBytesPerPartition: number;
  /**
   * Kafka consumer session timeout in ms: how long a crashed instance keeps its partitions before the
   * group hands them to a survivor (failover time). @default 30000
   */
  readonly sessionTimeoutMs: number;
  /**
   * Who may write `recordedAt` on the topic (docs/security.md "topic trust model"): a bound on how far
   * it may lie before the record timestamp (PROJECTOR_RECORDED_AT_MAX_BACKDATE_SECONDS) and the
   * `producer` header values trusted to set it (PROJECTOR_TRUSTED_PRODUCERS). Both off by default.
   */
  readonly recordedAtPolicy: { readonly maxBackdateMs?: number; readonly trustedProducers: readonly string[] };
  /**
   * `idle_in_transaction_session_timeout` of the projector's PostgreSQL sessions, in ms (0 = off): a
   * frozen instance (SIGSTOP, a stalled VM) loses its open batch transactions — and the row locks that
   * fence its partitions — when it loses its partitions in the group. @default sessionTimeoutMs
   */
  readonly idleInTransactionTimeoutMs: number;
  /**
   * `lock_timeout` of the projector's PostgreSQL sessions, in ms (0 = off). Below the session timeout:
   * kafkajs heartbeats only between batches, so a batch waiting longer on a lock would cost its own
   * instance its membership; instead the wait fails (SQLSTATE 55P03, retriable), the batch rolls back
   * and is retried with backoff, heartbeating meanwhile. @default sessionTimeoutMs / 3
   */
  readonly lockTimeoutMs: number;
}

/** Read API (apps/timeline-api) settings. */
export interface ApiConfig {
  /**
   * Key that signs pagination cursors and stream resume tokens (HMAC-SHA256), shared by every API
   * instance. Required in production; unset elsewhere: a random key per process (`npm start` and
   * `npm test` pass one per data directory).
   */
  readonly cursorSecret?: string;
  /** Concurrent `/v1/stream` connections allowed per client IP. @default 5 */
  readonly streamMaxPerClient: number;
  /** Concurrent `/v1/stream` connections one API process serves in all (then 503 with Retry-After). @default 2000 */
  readonly streamMaxTotal: number;
  /** Interval between SSE heartbeat comments, in ms. @default 15000 */
  readonly streamHeartbeatMs: number;
  /**
   * Origins (`https://newsroom.example`) that may show the dashboard in a frame: the CSP's
   * `frame-ancestors`. Empty: no one may frame it. @default []
   */
  readonly embedOrigins: readonly string[];
  /**
   * Where browsers reach ingest (INGEST_PUBLIC_URL, an origin like `https://ingest.newsroom.example`):
   * the dashboard's editor mode posts merges and splits there, and the CSP's `connect-src` allows it.
   * The API only tells the browser; it never writes. Unset: the dashboard has no editor mode.
   */
  readonly ingestPublicUrl?: string;
}

/** Per-client request rate limits (token buckets in each process); 0 turns a limit off. */
export interface RateLimitConfig {
  /** Write requests (`POST /v1/events…`) per minute per API key (per IP without one); bursts up to the same number. @default 1200 */
  readonly writesPerMinute: number;
  /** New `/v1/stream` connections per minute per client IP (on top of API_STREAM_MAX_PER_CLIENT concurrent). @default 120 */
  readonly streamsPerMinute: number;
  /** Requests without a valid API key to an endpoint that needs one, per minute per client IP (then 429, not 401). @default 60 */
  readonly unauthenticatedPerMinute: number;
  /**
   * Where the buckets live: `postgres` = shared by every process on the same database schema (a key's
   * budget holds across replicas; needs DATABASE_URL, else `memory`), `memory` = per process. @default "postgres"
   */
  readonly store: 'postgres' | 'memory';
}

export interface AppConfig {
  readonly env: 'development' | 'test' | 'production';
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  readonly ports: { readonly api: number; readonly ingest: number; readonly projector: number };
  /** Interface the HTTP servers bind to. @default "127.0.0.1" */
  readonly host: string;
  readonly kafka: KafkaConfig;
  readonly database: DatabaseConfig;
  readonly auth: AuthConfig;
  readonly projector: ProjectorConfig;
  readonly api: ApiConfig;
  readonly rateLimits: RateLimitConfig;
}

function projectorConfig(r: EnvReader): ProjectorConfig {
  // Kafka's broker-side bounds (group.min/max.session.timeout.ms) default to 6 s … 30 min.
  const sessionTimeoutMs = r.int('PROJECTOR_SESSION_TIMEOUT_SECONDS', 30, { min: 6, max: 1800 }) * 1000;
  const seconds = (name: string, fallbackMs: number) => {
    const v = r.raw(name);
    return v === undefined ? fallbackMs : r.int(name, 0, { min: 0, max: 86_400 }) * 1000;
  };
  const lockTimeoutMs = seconds('PROJECTOR_LOCK_TIMEOUT_SECONDS', Math.floor(sessionTimeoutMs / 3));
  if (lockTimeoutMs >= sessionTimeoutMs) {
    throw new ConfigError(
      'PROJECTOR_LOCK_TIMEOUT_SECONDS',
      `must be below PROJECTOR_SESSION_TIMEOUT_SECONDS (${sessionTimeoutMs / 1000}): a batch waiting that long on a lock loses its instance's partitions`,
    );
  }
  return {
    groupId: r.string('PROJECTOR_GROUP_ID', 'timeline-projector'),
    maxBytesPerPartition: r.int('PROJECTOR_MAX_BYTES_PER_PARTITION', 1_048_576, { min: 16_384 }),
    sessionTimeoutMs,
    idleInTransactionTimeoutMs: seconds('PROJECTOR_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS', sessionTimeoutMs),
    lockTimeoutMs,
    recordedAtPolicy: {
      ...(r.raw('PROJECTOR_RECORDED_AT_MAX_BACKDATE_SECONDS')
        ? { maxBackdateMs: r.int('PROJECTOR_RECORDED_AT_MAX_BACKDATE_SECONDS', 0, { min: 0, max: 31_536_000 }) * 1000 }
        : {}),
      trustedProducers: r.list('PROJECTOR_TRUSTED_PRODUCERS'),
    },
  };
}

/** Parses `name:role:sha256hex` entries, comma separated. */
export function parseApiKeys(variable: string, value: string | undefined): ApiKeyEntry[] {
  if (!value) return [];
  const seen = new Set<string>();
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const parts = entry.split(':');
      if (parts.length !== 3) {
        throw new ConfigError(variable, `entry ${i + 1} must be name:role:sha256hex (hash a key with \`npm run cli -- hash-key\`)`);
      }
      const [name, role, sha256] = parts as [string, string, string];
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new ConfigError(variable, `entry ${i + 1} has an invalid name`);
      if (!(ROLES as readonly string[]).includes(role)) {
        throw new ConfigError(variable, `entry "${name}" has role "${role}"; use one of ${ROLES.join(', ')}`);
      }
      if (!/^[0-9a-f]{64}$/i.test(sha256)) {
        throw new ConfigError(variable, `entry "${name}" must carry the 64-hex-digit SHA-256 of the key, not the key itself`);
      }
      if (seen.has(name)) throw new ConfigError(variable, `entry name "${name}" appears twice`);
      seen.add(name);
      return { name, role: role as Role, sha256: sha256.toLowerCase() };
    });
}

/**
 * Reads and validates the whole configuration once, at boot. Throws a {@link ConfigError} naming the
 * first bad variable. Secrets (DATABASE_URL, KAFKA_SASL_PASSWORD) have no defaults.
 */
/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * `optional` for an app that works without PostgreSQL (ingest: it only uses it for the best-effort
   * eventId conflict check), so DATABASE_URL is not required there. @default "required"
   */
  readonly database?: 'required' | 'optional';
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, opts: LoadConfigOptions = {}): AppConfig {
  const r = new EnvReader(env);
  const databaseUrl = r.raw('DATABASE_URL');
  if (!databaseUrl && opts.database !== 'optional') {
    throw new ConfigError(
      'DATABASE_URL',
      'is required (postgres://user:password@host:5432/db); `npm start` and `npm run infra:up` provide a local one',
    );
  }
  const saslMechanism = r.raw('KAFKA_SASL_MECHANISM');
  let sasl: KafkaConfig['sasl'];
  if (saslMechanism) {
    const mechanism = r.oneOf('KAFKA_SASL_MECHANISM', ['plain', 'scram-sha-256', 'scram-sha-512'] as const, 'plain');
    sasl = { mechanism, username: r.string('KAFKA_SASL_USERNAME'), password: r.string('KAFKA_SASL_PASSWORD') };
  }
  const eventsTopic = r.string('KAFKA_TOPIC_EVENTS', 'timeline.events');
  const cursorSecret = r.optionalString('API_CURSOR_SECRET');
  if (cursorSecret !== undefined && cursorSecret.length < 32) {
    throw new ConfigError('API_CURSOR_SECRET', 'must be at least 32 characters (e.g. `openssl rand -base64 32`)');
  }
  return {
    env: r.oneOf('NODE_ENV', ['development', 'test', 'production'] as const, 'development'),
    logLevel: r.oneOf('LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info'),
    host: r.string('HTTP_HOST', '127.0.0.1'),
    ports: {
      api: r.port('API_PORT', 3000),
      ingest: r.port('INGEST_PORT', 3001),
      projector: r.port('PROJECTOR_PORT', 3002),
    },
    kafka: {
      brokers: parseBrokers('KAFKA_BROKERS', r.string('KAFKA_BROKERS', '127.0.0.1:9092')),
      clientId: r.string('KAFKA_CLIENT_ID', 'crisis-timeline'),
      ssl: r.bool('KAFKA_SSL', false),
      ...(sasl ? { sasl } : {}),
      eventsTopic,
      dlqTopic: r.string('KAFKA_TOPIC_DLQ', `${eventsTopic}.dlq`),
      partitions: r.int('KAFKA_TOPIC_PARTITIONS', 6, { min: 1, max: 1000 }),
      retentionMs: r.int('KAFKA_TOPIC_RETENTION_MS', -1, { min: -1 }),
      replicationFactor: autoOrInt(r, 'KAFKA_REPLICATION_FACTOR', { min: 1, max: 10 }),
      minInsyncReplicas: autoOrInt(r, 'KAFKA_MIN_INSYNC_REPLICAS', { min: 1, max: 10 }),
      compression: r.oneOf('KAFKA_COMPRESSION', KAFKA_COMPRESSIONS, 'none'),
    },
    database: {
      configured: Boolean(databaseUrl),
      url: databaseUrl ? parseDatabaseUrl('DATABASE_URL', databaseUrl) : '',
      ssl: r.bool('DATABASE_SSL', false),
      schema: parseSchemaName('DATABASE_SCHEMA', r.string('DATABASE_SCHEMA', 'timeline')),
      poolSize: r.int('DATABASE_POOL_SIZE', 10, { min: 1, max: 200 }),
    },
    auth: {
      apiKeys: parseApiKeys('API_KEYS', r.raw('API_KEYS')),
      readAccess: r.oneOf('READ_ACCESS', ['public', 'key'] as const, 'public'),
      corsOrigins: r.list('CORS_ORIGINS'),
      writeCorsOrigins: parseOrigins('INGEST_CORS_ORIGINS', r.list('INGEST_CORS_ORIGINS')),
    },
    projector: projectorConfig(r),
    api: {
      ...(cursorSecret ? { cursorSecret } : {}),
      streamMaxPerClient: r.int('API_STREAM_MAX_PER_CLIENT', 5, { min: 1, max: 1000 }),
      streamMaxTotal: r.int('API_STREAM_MAX_TOTAL', 2000, { min: 1, max: 100_000 }),
      streamHeartbeatMs: r.int('API_STREAM_HEARTBEAT_SECONDS', 15, { min: 1, max: 300 }) * 1000,
      embedOrigins: parseOrigins('EMBED_ORIGINS', r.list('EMBED_ORIGINS')),
      ...ingestPublicUrl(r),
    },
    rateLimits: {
      writesPerMinute: r.int('RATE_LIMIT_WRITES_PER_MINUTE', 1200, { min: 0, max: 1_000_000 }),
      streamsPerMinute: r.int('RATE_LIMIT_STREAMS_PER_MINUTE', 120, { min: 0, max: 1_000_000 }),
      unauthenticatedPerMinute: r.int('RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE', 60, { min: 0, max: 1_000_000 }),
      store: r.oneOf('RATE_LIMIT_STORE', ['postgres', 'memory'] as const, 'postgres'),
    },
  };
}

/**
 * `scheme://host[:port]` origins, each becoming a CSP source: anything else (a path, a wildcard
 * scheme, a quote or `;` that would break out of the directive) fails at boot.
 */
function parseOrigins(name: string, values: string[]): string[] {
  for (const v of values) {
    if (!/^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(v)) {
      throw new ConfigError(name, `"${v}" is not an origin like https://newsroom.example (no path, quotes or spaces)`);
    }
  }
  return values;
}

/** INGEST_PUBLIC_URL as an origin (no wildcard: the browser posts to exactly this host), if set. */
function ingestPublicUrl(r: EnvReader): { ingestPublicUrl?: string } {
  const v = r.optionalString('INGEST_PUBLIC_URL')?.replace(/\/+$/, '');
  if (v === undefined || v === '') return {};
  if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(v)) {
    throw new ConfigError('INGEST_PUBLIC_URL', `"${v}" is not an origin like https://ingest.newsroom.example (no path, quotes or spaces)`);
  }
  return { ingestPublicUrl: v };
}

/** `auto` (the default when unset) or a whole number in `range`. */
function autoOrInt(r: EnvReader, name: string, range: { min: number; max: number }): number | 'auto' {
  const v = r.raw(name);
  if (v === undefined || v.toLowerCase() === 'auto') return 'auto';
  return r.int(name, range.min, range);
}
