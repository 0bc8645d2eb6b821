import type { RawEnvelope } from './envelope.js';
import type { ValidationIssue } from './validation.js';

/**
 * CloudEvents 1.0 on this system's contract (issue 18; docs/events.md "CloudEvents"). The envelope
 * stays the record value; CloudEvents is a view of it, in both directions:
 * - on Kafka, every record carries the binary-mode headers ({@link cloudEventAttributes}), so any
 *   CloudEvents consumer reads the topic: `data` = the envelope;
 * - ingest accepts structured-mode requests ({@link envelopeInputOfCloudEvent}).
 */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** Media type of one structured-mode CloudEvent (JSON format). */
export const CLOUDEVENT_MEDIA_TYPE = 'application/cloudevents+json';
/** Media type of a JSON array of structured-mode CloudEvents (JSON batch format). */
export const CLOUDEVENT_BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

/** `ce_source` of an event: its story, the ordering context (and Kafka key) it belongs to. */
export function cloudEventSource(storyId: string): string {
  return `urn:timeline:story:${storyId}`;
}

/** `ce_dataschema` of an event: the `$id` of its type and version's JSON Schema in `GET /v1/schemas`. */
export function cloudEventDataSchema(type: string, schemaVersion: number): string {
  return `urn:timeline:event:${type}:v${schemaVersion}`;
}

const DATA_SCHEMA = /^urn:timeline:event:([a-z]+(?:\.[a-z]+)+):v([1-9][0-9]{0,3})$/;

/** The CloudEvents context attributes of an envelope (binary mode puts each in a `ce_<name>` header). */
export function cloudEventAttributes(
  e: Pick<RawEnvelope, 'eventId' | 'type' | 'schemaVersion' | 'storyId' | 'recordedAt'>,
): Record<'specversion' | 'id' | 'type' | 'source' | 'time' | 'dataschema', string> {
  return {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id: e.eventId,
    type: e.type,
    source: cloudEventSource(e.storyId),
    // recordedAt, not occurredAt: CloudEvents `time` is one exact RFC 3339 instant, while occurredAt may
    // be known to the day only (occurredAtPrecision); recordedAt is also the record's CreateTime.
    time: e.recordedAt,
    dataschema: cloudEventDataSchema(e.type, e.schemaVersion),
  };
}

/** What {@link envelopeInputOfCloudEvent} makes of one structured CloudEvent. */
export type CloudEventMapping =
  | {
      readonly ok: true;
      /** Ingest input (what `POST /v1/events` takes as application/json): goes through prepareEvent as usual. */
      readonly input: Record<string, unknown>;
      /** Maps a JSON Pointer into {@link input} to the CloudEvent it came from (`/eventId` → `/id`, `/payload/x` → `/data/payload/x`). */
      readonly pointerOf: (envelopePointer: string) => string;
    }
  | { readonly ok: false; readonly message: string; readonly issues: readonly ValidationIssue[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;
const KNOWN = new Set(['specversion', 'id', 'source', 'type', 'datacontenttype', 'dataschema', 'subject', 'time', 'data', 'data_base64']);

/**
 * Maps one structured-mode CloudEvent (JSON format) onto ingest input:
 * `id` → `eventId` (a UUID: the idempotency key), `type` → `type`, `data` → every other envelope
 * field (`storyId`, `occurredAt`, `payload`, `summary`, …), `dataschema`
 * (`urn:timeline:event:<type>:v<n>`, optional) → `schemaVersion`. `source`, `subject` and `time`
 * are required/checked by CloudEvents but not stored: the server stamps `recordedAt`, and the topic's
 * `ce_source`/`ce_time` are derived from the envelope. Extension attributes are ignored.
 */
export function envelopeInputOfCloudEvent(ce: unknown): CloudEventMapping {
  if (typeof ce !== 'object' || ce === null || Array.isArray(ce)) {
    return refuse([{ path: '/', message: 'must be a CloudEvent: a JSON object with specversion, id, source, type and data' }]);
  }
  const attrs = ce as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (attrs.specversion !== CLOUDEVENTS_SPEC_VERSION)
    issues.push({ path: '/specversion', message: `must be "${CLOUDEVENTS_SPEC_VERSION}"` });
  if (typeof attrs.id !== 'string' || !UUID.test(attrs.id)) {
    issues.push({ path: '/id', message: 'must be a UUID (it becomes the eventId, the idempotency key)' });
  }
  if (typeof attrs.source !== 'string' || attrs.source.length === 0)
    issues.push({ path: '/source', message: 'must be a non-empty URI-reference' });
  if (typeof attrs.type !== 'string' || attrs.type.length === 0)
    issues.push({ path: '/type', message: 'must be an event type, e.g. readiness.raised' });
  if (attrs.datacontenttype !== undefined && !/^application\/json\b/i.test(String(attrs.datacontenttype))) {
    issues.push({ path: '/datacontenttype', message: 'must be application/json (data is the event envelope)' });
  }
  if (attrs.data_base64 !== undefined) issues.push({ path: '/data_base64', message: 'is not accepted: send data as JSON' });
  for (const name of Object.keys(attrs)) {
    if (!KNOWN.has(name) && !ATTRIBUTE_NAME.test(name)) {
      issues.push({ path: `/${name}`, message: 'is not a valid CloudEvents attribute name (lower-case letters and digits, at most 20)' });
    }
  }
  const data = attrs.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    issues.push({ path: '/data', message: 'must be an object: the event envelope without eventId, type and recordedAt' });
  }
  let schemaVersion: number | undefined;
  if (attrs.dataschema !== undefined) {
    const m = typeof attrs.dataschema === 'string' ? DATA_SCHEMA.exec(attrs.dataschema) : null;
    if (!m) issues.push({ path: '/dataschema', message: 'must be urn:timeline:event:<type>:v<version> (the $id in GET /v1/schemas)' });
    else if (m[1] !== attrs.type) issues.push({ path: '/dataschema', message: `names type ${m[1]}, but type is ${String(attrs.type)}` });
    else schemaVersion = Number(m[2]);
  }
  if (issues.length) return refuse(issues);
  const body = data as Record<string, unknown>;
  for (const [field, attr] of [
    ['eventId', 'id'],
    ['type', 'type'],
  ] as const) {
    if (body[field] !== undefined && body[field] !== attrs[attr]) {
      issues.push({ path: `/data/${field}`, message: `must equal the CloudEvent's ${attr} when given (or be left out)` });
    }
  }
  if (schemaVersion !== undefined && body.schemaVersion !== undefined && body.schemaVersion !== schemaVersion) {
    issues.push({ path: '/data/schemaVersion', message: `must equal the version in dataschema (${schemaVersion}) when given` });
  }
  if (issues.length) return refuse(issues);
  const input: Record<string, unknown> = { ...body, eventId: attrs.id, type: attrs.type };
  if (schemaVersion !== undefined) input.schemaVersion = schemaVersion;
  const fromDataschema = schemaVersion !== undefined && body.schemaVersion === undefined;
  return {
    ok: true,
    input,
    pointerOf: (p) => {
      if (p === '/' || p === '') return '/';
      if (p === '/eventId' || p.startsWith('/eventId/')) return `/id${p.slice('/eventId'.length)}`;
      if (p === '/type') return '/type';
      if (p === '/schemaVersion' && fromDataschema) return '/dataschema';
      return `/data${p}`;
    },
  };
}

function refuse(issues: ValidationIssue[]): CloudEventMapping {
  return { ok: false, message: 'the CloudEvent cannot be mapped onto an event envelope', issues };
}
