import type { SchemaObject } from '@nestjs/swagger';
import type { DecodeErrorCode } from '@timeline/events';

/** One field-level problem, e.g. `{ path: "/payload/forceSize", message: "must be >= 0" }`. */
export interface ProblemField {
  /** JSON Pointer (body) or parameter name (query) of the offending value. */
  readonly path: string;
  readonly message: string;
  readonly code?: string;
}

/** RFC 9457 problem details body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code?: string;
  errors?: ProblemField[];
  [extension: string]: unknown;
}

/**
 * Every machine code a problem response can carry (issue 12: one error model). Clients switch on
 * these; adding one is an API change, documented in docs/api.md and docs/events.md.
 */
export type ProblemCode =
  | DecodeErrorCode
  | 'EVENT.INVALID_BATCH'
  | 'EVENT.ID_CONFLICT'
  | 'EVENT.MERGE_CROSS_STORY'
  | 'EVENT.MERGE_UNKNOWN_ENTRY'
  | 'REQUEST.MALFORMED'
  | 'REQUEST.INVALID'
  | 'REQUEST.TOO_LARGE'
  | 'REQUEST.UNSUPPORTED_MEDIA_TYPE'
  | 'REQUEST.METHOD_NOT_ALLOWED'
  | 'REQUEST.NOT_ACCEPTABLE'
  | 'QUERY.INVALID_PARAMETER'
  | 'AUTH.MISSING_KEY'
  | 'AUTH.INVALID_KEY'
  | 'AUTH.FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'REBUILD.IN_PROGRESS'
  | 'REBUILD.CONFLICT'
  | 'UNAVAILABLE.KAFKA'
  | 'UNAVAILABLE.READ_MODEL'
  | 'UNAVAILABLE.NO_PROJECTION'
  | 'UNAVAILABLE.SHUTTING_DOWN'
  | 'UNAVAILABLE.STREAM_CAPACITY'
  | 'INTERNAL';

/**
 * An error with a stable machine code (e.g. `EVENT.INVALID_PAYLOAD`) that the HTTP layer maps to a
 * status in one place ({@link ProblemDetailsFilter}); domain code never picks HTTP statuses.
 */
export class CodedError extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly errors: ProblemField[] = [],
    /** Extra problem members (e.g. `retryAfterSeconds`). */
    readonly extensions: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CodedError';
  }
}

/** Default mapping from code prefixes to HTTP statuses; apps may pass more to the filter. */
export const DEFAULT_CODE_STATUS: Readonly<Record<string, number>> = {
  'EVENT.': 422,
  'REQUEST.MALFORMED': 400,
  'REQUEST.INVALID': 400,
  'REQUEST.METHOD_NOT_ALLOWED': 405,
  'REQUEST.NOT_ACCEPTABLE': 406,
  'REQUEST.TOO_LARGE': 413,
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': 415,
  'EVENT.ID_CONFLICT': 409,
  'REBUILD.': 409,
  'QUERY.': 400,
  'AUTH.MISSING_KEY': 401,
  'AUTH.INVALID_KEY': 401,
  'AUTH.FORBIDDEN': 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  'UNAVAILABLE.': 503,
};

/** Status for a code: exact match first, then the longest matching prefix ending in a dot. */
export function statusForCode(code: string, table: Readonly<Record<string, number>> = DEFAULT_CODE_STATUS): number {
  if (table[code] !== undefined) return table[code];
  let best: [string, number] | undefined;
  for (const [k, v] of Object.entries(table)) {
    if (k.endsWith('.') && code.startsWith(k) && (!best || k.length > best[0].length)) best = [k, v];
  }
  return best?.[1] ?? 500;
}

/** OpenAPI schema of {@link ProblemDetails} (`components.schemas.Problem` in every app's document). */
export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json)',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', example: 'EVENT.INVALID_PAYLOAD' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'every bad field; path is a JSON Pointer into the request body (batch: /events/3/payload/forceSize)',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
      },
    },
    retryAfterSeconds: { type: 'integer', description: '503 only; also sent as the Retry-After header' },
    eventIds: { type: 'array', items: { type: 'string', format: 'uuid' }, description: '503 only: resend with these ids' },
  },
};
