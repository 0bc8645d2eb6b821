import { createHash } from 'node:crypto';

/** RFC 4122 namespace of this system's name-based event ids: UUIDv5(URL namespace, "urn:timeline:event-id"). */
export const TIMELINE_ID_NAMESPACE = 'b37d8e75-3619-5730-ae4c-34eaad6914da';

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Name-based UUID version 5 (SHA-1) of `name` in `namespace` (RFC 4122 §4.3; RFC 9562 §5.5). */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID_TEXT.test(namespace)) throw new TypeError(`uuidV5: namespace "${namespace}" is not a UUID`);
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The deterministic eventId of a dataset entry: UUIDv5 of `<storyId>/<datasetKey>`, so publishing the
 * same dataset again produces the same ids and the projector (idempotent by eventId) changes nothing.
 */
export function datasetEventId(storyId: string, datasetKey: string): string {
  return uuidV5(`${storyId}/${datasetKey}`, TIMELINE_ID_NAMESPACE);
}
