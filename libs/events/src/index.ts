/**
 * The event catalogue — the contract every app shares. Pure TypeScript: no Nest, Kafka or TypeORM.
 * One file per event type under ./types; this file lists them and exports the catalogue.
 */
import { EventCatalogue } from './catalogue.js';
import type { EventEnvelope } from './envelope.js';
import type { PayloadOf } from './event-type.js';
import { ENTRY_CORRECTED } from './types/entry-corrected.event.js';
import { ENTRY_RETRACTED } from './types/entry-retracted.event.js';
import { READINESS_RAISED } from './types/readiness-raised.event.js';
import { STATEMENT_ISSUED } from './types/statement-issued.event.js';

export { ActionStatus, Actor, CountryCode, DateTime, LIMITS, Location, Precision, Slug, Source, Uuid } from './common.js';
export { EnvelopeFields, RawEnvelopeSchema, envelopeSchemaFor, type EventEnvelope, type RawEnvelope } from './envelope.js';
export { defineEventType, type CameoDefault, type EventTypeDefinition, type PayloadOf, type PreviousVersion } from './event-type.js';
export { EventCatalogue, type DecodeErrorCode, type DecodeResult } from './catalogue.js';
export { createAjv, toIssues, type ValidationIssue } from './validation.js';
export * from './types/entry-corrected.event.js';
export * from './types/entry-retracted.event.js';
export * from './types/readiness-raised.event.js';
export * from './types/statement-issued.event.js';

/** Every event type, in catalogue order. */
export const EVENT_TYPES = [READINESS_RAISED, STATEMENT_ISSUED, ENTRY_CORRECTED, ENTRY_RETRACTED] as const;

/** Union of the stored `type` strings. */
export type EventType = (typeof EVENT_TYPES)[number]['type'];

/** Discriminated union of all current-version events. */
export type TimelineEvent = {
  [D in (typeof EVENT_TYPES)[number] as D['type']]: EventEnvelope<D['type'], PayloadOf<D>>;
}[EventType];

/** The shared catalogue instance (schemas compiled once per process). */
export const eventCatalogue = new EventCatalogue(EVENT_TYPES);
