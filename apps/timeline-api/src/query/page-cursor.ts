import { parseTimestamp } from '@timeline/events';
import type { SignedTokenCodec } from './signed-token.codec.js';
import { InvalidTokenError } from './signed-token.codec.js';
import { invalidParameter } from './query-reader.js';

/** The keyset of the last entry on a page: `(occurred_at, recorded_at, entry_id)` as exact text. */
export interface PageKey {
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly entryId: string;
  /** With `sort=corroboration`: the last entry's `independent_outlets` and `report_count`, sorted by first. */
  readonly corroboration?: { readonly independentOutlets: number; readonly reports: number };
}

interface CursorBody {
  v: 1;
  /** Fingerprint of the query (filters, order, asOf, sort) the cursor belongs to. */
  f: string;
  k: [string, string, string] | [string, string, string, number, number];
}

const COUNT = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000;

const TOKEN_KIND = 'timeline-cursor';
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque keyset cursors for `GET /v1/timeline` (signed; bound to the query that produced them). */
export class PageCursorCodec {
  constructor(private readonly tokens: SignedTokenCodec) {}

  encode(key: PageKey, fingerprint: string): string {
    const c = key.corroboration;
    const body: CursorBody = {
      v: 1,
      f: fingerprint,
      k: c ? [key.occurredAt, key.recordedAt, key.entryId, c.independentOutlets, c.reports] : [key.occurredAt, key.recordedAt, key.entryId],
    };
    return this.tokens.encode(TOKEN_KIND, body);
  }

  /** The key after which the next page starts; a 400 naming `cursor` when forged or from another query. */
  decode(cursor: string, fingerprint: string): PageKey {
    let body: unknown;
    try {
      body = this.tokens.decode(TOKEN_KIND, cursor);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw invalidParameter('cursor', err.message);
      throw err;
    }
    const b = body as Partial<CursorBody>;
    const k = b.k;
    // Range-checked like every other instant before it reaches SQL: a cursor signed with a leaked or
    // guessed key must still be a 400, never a PostgreSQL error (issue 19: `0000-01-01…` was a 500).
    const instant = (v: unknown) => typeof v === 'string' && TS.test(v) && parseTimestamp(v).ok;
    if (
      b.v !== 1 ||
      !Array.isArray(k) ||
      (k.length !== 3 && k.length !== 5) ||
      !instant(k[0]) ||
      !instant(k[1]) ||
      !UUID.test(String(k[2])) ||
      (k.length === 5 && (!COUNT(k[3]) || !COUNT(k[4])))
    ) {
      throw invalidParameter('cursor', 'is not a cursor issued by this API version');
    }
    if (b.f !== fingerprint) {
      throw invalidParameter('cursor', 'belongs to a different query; keep the filters, order, sort and asOf of the first page');
    }
    const key = { occurredAt: k[0] as string, recordedAt: k[1] as string, entryId: k[2] as string };
    return k.length === 5 ? { ...key, corroboration: { independentOutlets: k[3] as number, reports: k[4] as number } } : key;
  }
}
