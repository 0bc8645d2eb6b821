import type { TSchema } from '@sinclair/typebox';
import { LIMITS } from './common.js';
import { RawEnvelopeSchema, envelopeSchemaFor, type EventEnvelope, type RawEnvelope } from './envelope.js';
import { storableValueIssues } from './storable-text.js';
import { baseLanguage } from './language.js';
import { isKnownTimeZone, parseTimestamp } from './timestamp.js';
import type { EventTypeDefinition } from './event-type.js';
import { createAjv, toIssues, type ValidateFunction, type ValidationIssue } from './validation.js';

/** Why a message was refused; stable codes shared by the ingest API (HTTP 4xx) and the projector (DLQ). */
export type DecodeErrorCode =
  | 'EVENT.MALFORMED_JSON'
  | 'EVENT.INVALID_ENVELOPE'
  | 'EVENT.UNKNOWN_TYPE'
  | 'EVENT.UNSUPPORTED_VERSION'
  | 'EVENT.INVALID_PAYLOAD'
  | 'EVENT.TOO_LARGE'
  | 'EVENT.INVALID_DATES';

export type DecodeResult =
  | { readonly ok: true; readonly event: EventEnvelope; readonly definition: EventTypeDefinition; readonly originalVersion: number }
  | { readonly ok: false; readonly code: DecodeErrorCode; readonly message: string; readonly issues: readonly ValidationIssue[] };

const byteLength = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');

/**
 * The registry of event types: validates envelopes and payloads (every version a type ever had),
 * upcasts old versions to the current one, and publishes everything as JSON Schema.
 */
export class EventCatalogue {
  private readonly ajv = createAjv();
  private readonly rawEnvelope: ValidateFunction;
  private readonly types = new Map<string, EventTypeDefinition>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(definitions: readonly EventTypeDefinition[]) {
    this.rawEnvelope = this.ajv.compile(RawEnvelopeSchema);
    for (const def of definitions) {
      if (this.types.has(def.type)) throw new Error(`event type ${def.type} is defined twice`);
      this.types.set(def.type, def);
      for (const v of [{ version: def.version, payload: def.payload }, ...def.previous]) {
        this.validators.set(`${def.type}@${v.version}`, this.ajv.compile(v.payload));
      }
      for (let v = 1; v < def.version; v++) {
        if (!def.previous.some((p) => p.version === v)) throw new Error(`${def.type}: version ${v} has no upcaster`);
      }
    }
  }

  /** Every registered type, in registration order. */
  definitions(): EventTypeDefinition[] {
    return [...this.types.values()];
  }

  get(type: string): EventTypeDefinition | undefined {
    return this.types.get(type);
  }

  typeNames(): string[] {
    return [...this.types.keys()];
  }

  /**
   * Validates a complete envelope (as stored on Kafka) and returns it upcast to the current version.
   * Never throws for bad input: the result says what is wrong, field by field.
   */
  decode(input: unknown): DecodeResult {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return fail('EVENT.INVALID_ENVELOPE', 'an event must be a JSON object', [{ path: '/', message: 'must be object' }]);
    }
    // First, before anything recursive (JSON.stringify below, Ajv): strings PostgreSQL cannot store
    // and nesting beyond the bound (a 10,000-level body must be a 4xx, not a RangeError).
    const unstorable = storableValueIssues(input);
    if (unstorable.length) {
      const inPayload = unstorable.every((i) => i.path.startsWith('/payload/'));
      return fail(
        inPayload ? 'EVENT.INVALID_PAYLOAD' : 'EVENT.INVALID_ENVELOPE',
        'the event holds values that cannot be stored (see errors)',
        unstorable,
      );
    }
    const size = byteLength(input);
    if (size > LIMITS.envelopeBytes) {
      return fail('EVENT.TOO_LARGE', `the event is ${size} bytes; the limit is ${LIMITS.envelopeBytes}`, [
        { path: '/', message: `must be at most ${LIMITS.envelopeBytes} bytes of JSON` },
      ]);
    }
    const raw = input as Partial<RawEnvelope>;
    const def = typeof raw.type === 'string' ? this.types.get(raw.type) : undefined;
    if (!this.rawEnvelope(input)) {
      const issues = toIssues(this.rawEnvelope.errors);
      if (typeof raw.type === 'string' && !def && /^[a-z]+(\.[a-z]+)+$/.test(raw.type)) {
        issues.push(unknownTypeIssue(raw.type, this.typeNames()));
      }
      return fail('EVENT.INVALID_ENVELOPE', 'the event envelope is invalid', issues);
    }
    const env = input as RawEnvelope;
    if (!def) {
      return fail('EVENT.UNKNOWN_TYPE', `unknown event type "${env.type}"`, [unknownTypeIssue(env.type, this.typeNames())]);
    }
    if (env.schemaVersion > def.version) {
      return fail('EVENT.UNSUPPORTED_VERSION', `${env.type} v${env.schemaVersion} is newer than this service knows (v${def.version})`, [
        { path: '/schemaVersion', message: `must be at most ${def.version} for ${env.type}` },
      ]);
    }
    const payloadBytes = byteLength(env.payload);
    if (payloadBytes > LIMITS.payloadBytes) {
      return fail('EVENT.TOO_LARGE', `the payload is ${payloadBytes} bytes; the limit is ${LIMITS.payloadBytes}`, [
        { path: '/payload', message: `must be at most ${LIMITS.payloadBytes} bytes of JSON` },
      ]);
    }
    const validate = this.validators.get(`${def.type}@${env.schemaVersion}`);
    if (!validate) {
      return fail('EVENT.UNSUPPORTED_VERSION', `${env.type} has no schema version ${env.schemaVersion}`, [
        { path: '/schemaVersion', message: `must be one of ${[def.version, ...def.previous.map((p) => p.version)].sort().join(', ')}` },
      ]);
    }
    if (!validate(env.payload)) {
      return fail('EVENT.INVALID_PAYLOAD', `the ${env.type} payload is invalid`, toIssues(validate.errors, '/payload'));
    }
    const languageIssues = checkLanguages(env);
    if (languageIssues.length) return fail('EVENT.INVALID_ENVELOPE', 'the event envelope is invalid', languageIssues);
    const dateIssues = checkDates(env);
    if (dateIssues.length) return fail('EVENT.INVALID_DATES', 'the event dates are inconsistent', dateIssues);
    const payload = this.upcast(def, env.schemaVersion, env.payload);
    const refined = def.refine?.(payload) ?? [];
    if (refined.length) {
      return fail(
        'EVENT.INVALID_PAYLOAD',
        `the ${env.type} payload is invalid`,
        refined.map((i) => ({ path: `/payload${i.path === '/' ? '' : i.path}`, message: i.message })),
      );
    }
    return {
      ok: true,
      definition: def,
      originalVersion: env.schemaVersion,
      event: { ...env, schemaVersion: def.version, payload },
    };
  }

  /** Upcasts a payload of `fromVersion` to the type's current version (old messages are never rewritten). */
  upcast(def: EventTypeDefinition, fromVersion: number, payload: Record<string, unknown>): Record<string, unknown> {
    let p = payload;
    for (let v = fromVersion; v < def.version; v++) {
      const step = def.previous.find((x) => x.version === v);
      if (!step) throw new Error(`${def.type}: no upcaster from v${v}`);
      p = step.upcast(p);
    }
    return p;
  }

  /**
   * The event's CAMEO code: its own `cameoCode` override, else the code its (current-version) payload
   * implies (e.g. sanctions threatened → 1312), else the type default.
   */
  cameoCodeOf(event: Pick<EventEnvelope, 'type' | 'cameoCode'> & { readonly payload?: Record<string, unknown> }): string | null {
    if (event.cameoCode) return event.cameoCode;
    const def = this.types.get(event.type);
    return (event.payload && def?.cameoFor?.(event.payload)) ?? def?.cameo?.code ?? null;
  }

  /** JSON Schema (draft 2019-09 compatible) of every type and version, for `GET /v1/schemas`. */
  jsonSchemas(): {
    $id: string;
    envelope: TSchema;
    types: Record<
      string,
      { current: number; cameo: unknown; title: string; description: string; meta: boolean; versions: Record<string, TSchema> }
    >;
  } {
    const types: Record<
      string,
      { current: number; cameo: unknown; title: string; description: string; meta: boolean; versions: Record<string, TSchema> }
    > = {};
    for (const def of this.types.values()) {
      const versions: Record<string, TSchema> = {};
      for (const v of [{ version: def.version, payload: def.payload }, ...def.previous]) {
        versions[`v${v.version}`] = plain(envelopeSchemaFor(def.type, v.version, v.payload));
      }
      types[def.type] = {
        current: def.version,
        cameo: def.cameo,
        title: def.title,
        description: def.description,
        meta: def.meta,
        versions,
      };
    }
    return { $id: 'urn:timeline:catalogue', envelope: plain(RawEnvelopeSchema), types };
  }
}

function fail(code: DecodeErrorCode, message: string, issues: ValidationIssue[]): DecodeResult {
  return { ok: false, code, message, issues };
}

function unknownTypeIssue(type: string, known: string[]): ValidationIssue {
  return { path: '/type', message: `"${type}" is not a known event type; known types: ${known.join(', ')}` };
}

/** Translations are of the summary into other languages: one per language, never the summary's own. */
function checkLanguages(env: RawEnvelope): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (env.languageDetectedBy !== undefined && env.language === undefined) {
    issues.push({ path: '/languageDetectedBy', message: 'names the detector of language; give language too' });
  }
  const seen = new Set(env.language ? [baseLanguage(env.language)] : []);
  (env.translations ?? []).forEach((t, i) => {
    if (seen.has(baseLanguage(t.lang))) {
      issues.push({
        path: `/translations/${i}/lang`,
        message: `"${t.lang}" is already given (language of summary or another translation)`,
      });
    }
    seen.add(baseLanguage(t.lang));
  });
  return issues;
}

function checkDates(env: RawEnvelope): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const epoch = (s: string) => (parseTimestamp(s) as { epochMs: number }).epochMs;
  if (env.occurredUntil && epoch(env.occurredUntil) < epoch(env.occurredAt)) {
    issues.push({ path: '/occurredUntil', message: 'must not be before occurredAt' });
  }
  if (env.occurredTz !== undefined && !isKnownTimeZone(env.occurredTz)) {
    issues.push({ path: '/occurredTz', message: `"${env.occurredTz}" is not an IANA time zone (e.g. Europe/Kyiv, America/New_York, UTC)` });
  }
  return issues;
}

/** Strips TypeBox's symbol keys so the schema serialises as plain JSON Schema. */
function plain(schema: TSchema): TSchema {
  return JSON.parse(JSON.stringify(schema)) as TSchema;
}
