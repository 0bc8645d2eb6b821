import type { Static, TSchema } from '@sinclair/typebox';

/** CAMEO v0.7b5 default coding of a type (DOMAIN.md); overridable per event with `cameoCode`. */
export interface CameoDefault {
  readonly code: string;
  readonly name: string;
  readonly goldstein: number | null;
}

/** An older payload shape kept for reading old messages, with its upcast to the next version. */
export interface PreviousVersion {
  readonly version: number;
  readonly payload: TSchema;
  /** Turns a payload of `version` into one of `version + 1`. Pure; never mutates its input. */
  readonly upcast: (payload: Record<string, unknown>) => Record<string, unknown>;
}

/** One entry of the event catalogue. */
export interface EventTypeDefinition<TType extends string = string, TPayload extends TSchema = TSchema> {
  readonly type: TType;
  /** Current schema version: what producers should send and what readers get after upcasting. */
  readonly version: number;
  readonly title: string;
  readonly description: string;
  readonly cameo: CameoDefault | null;
  readonly payload: TPayload;
  /** Older versions, any order. Version N is upcast through N+1 … up to `version`. */
  readonly previous: readonly PreviousVersion[];
  /** Meta events (`entry.corrected`, `entry.retracted`) change other entries instead of adding one. */
  readonly meta: boolean;
  /**
   * Cross-field rules JSON Schema cannot say (e.g. a range's bounds in order), run on a payload of the
   * current version after schema validation. Paths are relative to the payload (`/forceSizeMax`).
   */
  readonly refine?: (payload: Record<string, unknown>) => { path: string; message: string }[];
  /**
   * A more specific CAMEO code implied by the payload (sanctions threatened → 1312, a phone call → 041);
   * `undefined` keeps the type default. An event's own `cameoCode` still wins.
   */
  readonly cameoFor?: (payload: Record<string, unknown>) => string | undefined;
  /** A valid current-version payload, for documentation (OpenAPI, docs/events.md) and tests. */
  readonly example?: Record<string, unknown>;
}

/** Declares an event type; keeps literal types for the `type` string and the payload. */
export function defineEventType<const TType extends string, TPayload extends TSchema>(def: {
  type: TType;
  version: number;
  title: string;
  description: string;
  cameo: CameoDefault | null;
  payload: TPayload;
  previous?: PreviousVersion[];
  meta?: boolean;
  refine?: (payload: Static<TPayload>) => { path: string; message: string }[];
  cameoFor?: (payload: Static<TPayload>) => string | undefined;
  example?: Static<TPayload>;
}): EventTypeDefinition<TType, TPayload> {
  // The catalogue calls refine/cameoFor only with payloads it validated against `payload`.
  return { previous: [], meta: false, ...def } as EventTypeDefinition<TType, TPayload>;
}

/** The payload TS type of a definition. */
export type PayloadOf<D> = D extends EventTypeDefinition<string, infer P> ? Static<P> : never;
