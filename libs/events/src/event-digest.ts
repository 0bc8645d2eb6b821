import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: one text for one value, whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The content digest of an event (`sha256:<hex>`), the basis of idempotency: two envelopes with one
 * `eventId` are the same event when their digests match. `recordedAt` is left out — it is stamped by
 * the server on every attempt, so a client's retry of the same content gets a new one — and key
 * order does not matter (PostgreSQL's jsonb reorders keys). Same content: a harmless duplicate;
 * different content: a conflict (409 at ingest, `EVENT.ID_CONFLICT` dead letter on the topic).
 */
export function eventContentDigest(envelope: Readonly<Record<string, unknown>>): string {
  const { recordedAt: _serverStamped, ...content } = envelope;
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}
