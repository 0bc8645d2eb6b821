import { randomUUID } from 'node:crypto';
import type { DecodeResult, EventCatalogue } from './catalogue.js';
import type { Clock } from './clock.js';
import type { EventEnvelope, RawEnvelope } from './envelope.js';
import type { EventTypeDefinition } from './event-type.js';
import { eventCatalogue } from './registry.js';
import type { ValidationIssue } from './validation.js';

declare const prepared: unique symbol;

/**
 * A complete envelope that passed {@link prepareEvent}: server fields stamped, validated by the catalogue.
 * The brand lets publishers accept only events that went through validation.
 */
export type PreparedEvent = RawEnvelope & { readonly [prepared]: true };

/** Options of {@link prepareEvent}. */
export interface PrepareEventOptions {
  /** Stamps `recordedAt`. */
  readonly clock: Clock;
  /** Makes an eventId when the client sent none. @default crypto.randomUUID */
  readonly newId?: () => string;
  /** @default the shared eventCatalogue */
  readonly catalogue?: EventCatalogue;
}

/** A refusal, exactly as {@link EventCatalogue.decode} reports one. */
export type PrepareFailure = Extract<DecodeResult, { ok: false }>;

export type PrepareResult =
  | {
      readonly ok: true;
      /** What to publish: the client's envelope (its own schema version, never upcast) plus server fields. */
      readonly envelope: PreparedEvent;
      /** The same event upcast to the current version, as readers will see it. */
      readonly event: EventEnvelope;
      readonly definition: EventTypeDefinition;
      readonly originalVersion: number;
      /** True when the server made the eventId (the client should keep it to retry idempotently). */
      readonly generatedId: boolean;
    }
  | PrepareFailure;

/** The message given for a client-supplied `recordedAt` (docs/events.md, "recordedAt rule"). */
export const RECORDED_AT_IS_SERVER_OWNED = 'is set by the server when it accepts the event; leave it out';

/**
 * Turns ingest input into a publishable envelope: generates `eventId` when absent, defaults
 * `schemaVersion` to the type's current version, stamps `recordedAt` from the clock, then validates
 * the whole envelope with the catalogue's `decode`.
 *
 * `recordedAt` belongs to the system (it is the "as known at" axis of the bitemporal timeline), so a
 * client that sends one is refused with a field error rather than silently overridden: a client that
 * believes it can backdate knowledge should learn at once that it cannot.
 */
export function prepareEvent(input: unknown, opts: PrepareEventOptions): PrepareResult {
  const catalogue = opts.catalogue ?? eventCatalogue;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return catalogue.decode(input) as PrepareFailure;
  }
  const raw = input as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (raw.recordedAt !== undefined && raw.recordedAt !== null) {
    issues.push({ path: '/recordedAt', message: RECORDED_AT_IS_SERVER_OWNED });
  }
  const { recordedAt: _clientRecordedAt, ...rest } = raw;
  const def = typeof rest.type === 'string' ? catalogue.get(rest.type) : undefined;
  const generatedId = rest.eventId === undefined || rest.eventId === null;
  const envelope: Record<string, unknown> = {
    ...rest,
    eventId: generatedId ? (opts.newId ?? randomUUID)() : rest.eventId,
    // Unknown type: any version will do, decode refuses the type itself with the known types listed.
    schemaVersion: rest.schemaVersion ?? def?.version ?? 1,
    recordedAt: opts.clock.now().toISOString(),
  };
  const decoded = catalogue.decode(envelope);
  if (!decoded.ok) return { ...decoded, issues: [...issues, ...decoded.issues] };
  if (issues.length) return { ok: false, code: 'EVENT.INVALID_ENVELOPE', message: 'the event envelope is invalid', issues };
  return {
    ok: true,
    envelope: envelope as PreparedEvent,
    event: decoded.event,
    definition: decoded.definition,
    originalVersion: decoded.originalVersion,
    generatedId,
  };
}
