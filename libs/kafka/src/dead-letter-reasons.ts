/**
 * Every `dlq.reasonCode` the projector writes, with its meaning — the table in docs/operations.md
 * ("Poison messages and the DLQ"), which a unit test keeps equal to this one, and the enum of the
 * header in the AsyncAPI document (issue 18).
 */
export const DEAD_LETTER_REASONS = {
  'EVENT.MALFORMED_JSON': 'no value (tombstone/empty), not UTF-8, nested deeper than 32 levels, or not JSON',
  'EVENT.INVALID_ENVELOPE': 'not an object, or envelope fields missing/invalid (incl. recordedAt when the record has no timestamp)',
  'EVENT.UNKNOWN_TYPE': 'type is not in the catalogue',
  'EVENT.UNSUPPORTED_VERSION': 'schemaVersion newer than this projector knows (deploy the newer projector, then replay)',
  'EVENT.INVALID_PAYLOAD': "payload fails its type's schema or cross-field rules",
  'EVENT.INVALID_DATES': 'occurredUntil before occurredAt, or occurredTz not an IANA zone',
  'EVENT.TOO_LARGE': "envelope or payload above the catalogue's limits",
  'EVENT.RECORDED_IN_FUTURE': "recordedAt more than 5 minutes after the Kafka record's timestamp",
  'EVENT.RECORDED_AT_BACKDATED': "the record's own recordedAt breaks the deployment's topic trust policy",
  'EVENT.ID_CONFLICT': 'the eventId is already stored with other content; the stored event is kept',
  'EVENT.INVALID_CORRECTION': 'a correction that would make its target entry invalid',
  'EVENT.MERGE_UNKNOWN_ENTRY': 'an entry.merged / entry.split names an entry that is not in the projection',
  'EVENT.MERGE_CROSS_STORY': "an entry.merged / entry.split names an entry of another story than the meta event's",
  'EVENT.MERGE_CYCLE': 'a merge whose survivor is merged, or that merges an entry already merged or with merged reports of its own',
  'EVENT.MERGE_RETRACTED_ENTRY': 'a merge of a retracted entry (survivor or merged)',
  'EVENT.SPLIT_NOT_MERGED': 'an entry.split names an entry that is not merged into the survivor',
  'PARTITION.SKIPPED': 'not a message: an operator moved a parked partition past a record batch that cannot be decoded (`cli skip`)',
  'EVENT.UNSTORABLE': 'PostgreSQL refused a value the catalogue allowed (the safety net)',
} as const;

/** A `dlq.reasonCode`. */
export type DeadLetterReasonCode = keyof typeof DEAD_LETTER_REASONS;
