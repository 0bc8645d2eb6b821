import { ConfigError } from './config-error.js';

/** Reads typed values out of an environment map, throwing a {@link ConfigError} naming the variable. */
export class EnvReader {
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  /** The raw value with surrounding whitespace removed, or undefined when unset/empty. */
  raw(name: string): string | undefined {
    const v = this.env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  string(name: string, fallback?: string): string {
    const v = this.raw(name) ?? fallback;
    if (v === undefined) throw new ConfigError(name, 'is required but not set');
    return v;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v)) throw new ConfigError(name, `must be a whole number, got "${v}"`);
    const n = Number(v);
    if (range.min !== undefined && n < range.min) throw new ConfigError(name, `must be ≥ ${range.min}, got ${n}`);
    if (range.max !== undefined && n > range.max) throw new ConfigError(name, `must be ≤ ${range.max}, got ${n}`);
    return n;
  }

  port(name: string, fallback: number): number {
    return this.int(name, fallback, { min: 0, max: 65535 });
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(name, `must be true or false, got "${v}"`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${v}"`);
    }
    return v as T;
  }

  list(name: string, fallback: string[] = []): string[] {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
}

/** `host:port` list as kafkajs expects it; rejects anything else so typos fail at boot. */
export function parseBrokers(name: string, value: string): string[] {
  const brokers = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new ConfigError(name, 'must list at least one broker as host:port');
  for (const b of brokers) {
    const m = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(b);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new ConfigError(name, `"${b}" is not host:port (example: 127.0.0.1:9092)`);
    }
  }
  return brokers;
}

/** A postgres:// URL; the message never echoes the password. */
export function parseDatabaseUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a URL (expected postgres://user:password@host:5432/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must start with postgres:// (got ${url.protocol}//)`);
  }
  if (!url.hostname) throw new ConfigError(name, 'has no host (expected postgres://user:password@host:5432/database)');
  if (url.pathname.length <= 1) throw new ConfigError(name, 'names no database (…/database at the end)');
  return value;
}

/** SQL identifier for a schema name: lower-case letters, digits and underscores only. */
export function parseSchemaName(name: string, value: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    throw new ConfigError(name, `"${value}" is not a valid schema name (lower-case letters, digits, _; max 63)`);
  }
  return value;
}
