/**
 * The event catalogue — the contract every app shares. Pure TypeScript: no Nest, Kafka or TypeORM.
 * One file per event type under ./types; ./registry.ts lists them and builds the catalogue.
 */
export {
  ActionStatus,
  Actor,
  CountryCode,
  CountryList,
  DateTime,
  ForceSizeFields,
  Headcount,
  LIMITS,
  LanguageTag,
  Location,
  LongText,
  OutletKind,
  RELATIONS,
  Relation,
  RelatesTo,
  Precision,
  ShortText,
  Slug,
  Source,
  TextList,
  Translation,
  Attribution,
  Uuid,
  checkForceSize,
  languageTag,
} from './common.js';
export { EnvelopeFields, RawEnvelopeSchema, envelopeSchemaFor, type EventEnvelope, type RawEnvelope } from './envelope.js';
export { defineEventType, type CameoDefault, type EventTypeDefinition, type PayloadOf, type PreviousVersion } from './event-type.js';
export { LANGUAGE_DETECTOR, LEGACY_LANGUAGE, baseLanguage, detectLanguage, languageOf, type LanguageOf } from './language.js';
export { EventCatalogue, type DecodeErrorCode, type DecodeResult } from './catalogue.js';
export { createAjv, toIssues, type ValidationIssue } from './validation.js';
export { fixedClock, systemClock, type Clock } from './clock.js';
export { TIMELINE_ID_NAMESPACE, datasetEventId, uuidV5 } from './uuid.js';
export {
  RECORDED_AT_IS_SERVER_OWNED,
  prepareEvent,
  type PrepareEventOptions,
  type PrepareFailure,
  type PrepareResult,
  type PreparedEvent,
} from './prepare-event.js';
export { ingestInputSchemaName, ingestInputSchemas, toOpenApi30Schema, type IngestInputSchemas } from './openapi-schema.js';
export {
  CLOUDEVENTS_SPEC_VERSION,
  CLOUDEVENT_BATCH_MEDIA_TYPE,
  CLOUDEVENT_MEDIA_TYPE,
  cloudEventAttributes,
  cloudEventDataSchema,
  cloudEventSource,
  envelopeInputOfCloudEvent,
  type CloudEventMapping,
} from './cloudevents.js';
export { DATASET_KEY_PATTERN, prepareDatasetLine } from './dataset-line.js';
export {
  PRODUCER_HEADER,
  RECORDED_AT_MAX_LEAD_MS,
  recordedAtBackdated,
  recordedAtInFuture,
  withRecordedAtFallback,
  type RecordedAtPolicy,
} from './recorded-at-rule.js';
export { MAX_JSON_DEPTH, storableValueIssues } from './storable-text.js';
export { eventContentDigest } from './event-digest.js';
export { excessiveNestingAt, parseEventJson, type EventJsonResult } from './event-json.js';
export {
  MAX_OFFSET_MINUTES,
  SUPPORTED_RANGE,
  daysInMonth,
  inSupportedRange,
  isKnownTimeZone,
  parseCalendarDate,
  parseTimestamp,
  type ParsedTimestamp,
  type TimestampResult,
} from './timestamp.js';
export { corroborationOf, normalizeOutlet, originOf, outletKindOf, type Corroboration, type CorroborationReport } from './corroboration.js';
export { EVENT_TYPES, eventCatalogue, type EventType, type TimelineEvent } from './registry.js';
export * from './types/concern-expressed.event.js';
export * from './types/cyber-incident.event.js';
export * from './types/denial-issued.event.js';
export * from './types/deployment-announced.event.js';
export * from './types/deployment-considered.event.js';
export * from './types/diplomat-expelled.event.js';
export * from './types/emergency-declared.event.js';
export * from './types/entry-corrected.event.js';
export * from './types/entry-merged.event.js';
export * from './types/entry-related.event.js';
export * from './types/entry-retracted.event.js';
export * from './types/entry-split.event.js';
export * from './types/military-action.event.js';
export * from './types/negotiations-updated.event.js';
export * from './types/readiness-raised.event.js';
export * from './types/recognition-declared.event.js';
export * from './types/sanctions-announced.event.js';
export * from './types/statement-issued.event.js';
export * from './types/talks-held.event.js';
export * from './types/troops-moved.event.js';
