import {
  parseEventJson,
  recordedAtBackdated,
  recordedAtInFuture,
  withRecordedAtFallback,
  type EventCatalogue,
  type EventEnvelope,
  type RecordedAtPolicy,
} from '@timeline/events';

/** A Kafka message value turned into an event, or the reason it is poison (→ dead-letter topic). */
export type DecodedMessage =
  | { readonly ok: true; readonly event: EventEnvelope; readonly original: Record<string, unknown> }
  | { readonly ok: false; readonly code: string; readonly reason: string };

const MAX_ISSUES_IN_REASON = 10;

/**
 * Decodes one message value with the catalogue. Kafka input is untrusted (ARCHITECTURE.md: the ingest
 * API is not the only possible producer), so every message is validated again here; nothing throws.
 *
 * A missing `recordedAt` is taken from the Kafka record timestamp; a `recordedAt` ahead of that
 * timestamp by more than the allowed clock skew is refused (`EVENT.RECORDED_IN_FUTURE`, the rule in
 * `@timeline/events` recorded-at-rule.ts — a rebuild from Kafka applies the same).
 *
 * The message key is not checked: the contract says key = storyId so one story stays in order, but
 * the projection does not depend on arrival order (timeline order is by occurredAt; early corrections
 * wait in `pending_corrections`), so a null or foreign key is accepted rather than dead-lettered.
 */
export function decodeKafkaMessage(
  catalogue: EventCatalogue,
  value: Buffer | null,
  kafkaTimestamp?: string,
  trust: { readonly producer?: string; readonly policy?: RecordedAtPolicy } = {},
): DecodedMessage {
  if (value === null || value.length === 0) {
    return { ok: false, code: 'EVENT.MALFORMED_JSON', reason: 'the message has no value (a tombstone or an empty record)' };
  }
  // Bounded UTF-8 + depth + JSON parse (issue 11: a record nested 100,000 levels deep made the old
  // JSON.parse path throw RangeError and stopped the projector on every restart). Never throws.
  const json = parseEventJson(value);
  if (!json.ok) return { ok: false, code: json.code, reason: `the message value ${json.message}` };
  let parsed = json.value;
  // ARCHITECTURE.md: recordedAt is set by ingest, the Kafka timestamp is the fallback for a producer
  // that left it out. The filled-in value is archived too, so a replay from event_log sees the same.
  const hadRecordedAt = typeof parsed === 'object' && parsed !== null && (parsed as { recordedAt?: unknown }).recordedAt !== undefined;
  parsed = withRecordedAtFallback(parsed, kafkaTimestamp);
  const d = catalogue.decode(parsed);
  if (!d.ok) {
    const issues = d.issues.slice(0, MAX_ISSUES_IN_REASON).map((i) => `${i.path}: ${i.message}`);
    const more = d.issues.length > MAX_ISSUES_IN_REASON ? ` (+${d.issues.length - MAX_ISSUES_IN_REASON} more)` : '';
    return { ok: false, code: d.code, reason: issues.length ? `${d.message} — ${issues.join('; ')}${more}` : d.message };
  }
  const future = recordedAtInFuture(d.event.recordedAt, kafkaTimestamp);
  if (future) return { ok: false, code: 'EVENT.RECORDED_IN_FUTURE', reason: future };
  const backdated = recordedAtBackdated(d.event.recordedAt, kafkaTimestamp, trust.producer, hadRecordedAt, trust.policy);
  if (backdated) return { ok: false, code: 'EVENT.RECORDED_AT_BACKDATED', reason: backdated };
  return { ok: true, event: d.event, original: parsed as Record<string, unknown> };
}
