import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { parseEventJson } from '@timeline/events';
import { CodedError } from './problem.js';

/** What {@link JsonBodyInterceptor} needs of a request (Express's, in practice). */
interface BodyRequest extends AsyncIterable<Buffer> {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  method?: string;
  pause?(): void;
}

/**
 * `application/json` and every `+json` type: `application/cloudevents+json` and
 * `application/cloudevents-batch+json` (structured-mode CloudEvents, issue 18) are JSON too; which
 * of them an endpoint takes is the handler's call (a 415 otherwise).
 */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/**
 * Reads and parses a JSON request body *after* the guards ran (issue 19, "auth before work"):
 * Nest runs middleware — where a body parser normally sits — before guards, so every anonymous
 * request had its body read and parsed before the API key was even looked at. As an interceptor the
 * parse happens only for requests the key and rate-limit guards let through.
 *
 * The parse is the catalogue's bounded one (`parseEventJson`): well-formed UTF-8 (never silently
 * replaced), nesting depth bounded (a 10,000-level body is a 400, not a RangeError 500), size
 * bounded (413 before reading when Content-Length says so). Bodies that are not JSON are left
 * unread (`req.body` stays undefined, for the handler's 415).
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  constructor(private readonly limitBytes: number) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<BodyRequest>();
    if (req.body === undefined && isJson(req.headers['content-type'])) {
      // An empty JSON body is an empty object (as body-parser had it): the handler's validation then
      // names every missing field (422), instead of a misleading 415 (found by the fuzz suite).
      req.body = hasBody(req) ? await this.read(req) : {};
    }
    return next.handle();
  }

  private async read(req: BodyRequest): Promise<unknown> {
    const charset = /charset=([^;]+)/i.exec(String(req.headers['content-type']))?.[1]?.trim().replace(/^"|"$/g, '');
    if (charset && !/^utf-?8$/i.test(charset)) {
      throw new CodedError('REQUEST.UNSUPPORTED_MEDIA_TYPE', `Send JSON as UTF-8 (this body says charset=${charset}).`);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.limitBytes) throw tooLarge(req);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > this.limitBytes) throw tooLarge(req);
      chunks.push(chunk);
    }
    if (size === 0) return {};
    const parsed = parseEventJson(Buffer.concat(chunks, size));
    if (!parsed.ok) {
      throw new CodedError('REQUEST.MALFORMED', `The request body ${parsed.message}.`, [
        { path: '/', message: parsed.message, code: 'REQUEST.MALFORMED' },
      ]);
    }
    return parsed.value;
  }
}

function tooLarge(req: BodyRequest): CodedError {
  req.pause?.();
  return new CodedError('REQUEST.TOO_LARGE', 'The request body is larger than this endpoint accepts; split it into smaller requests.');
}

function hasBody(req: BodyRequest): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function isJson(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && JSON_TYPE.test(contentType.split(';')[0]!.trim());
}

/** `"1mb"`, `"512kb"` or a byte count → bytes (the units body-parser's `limit` used). */
export function parseByteLimit(limit: string | number): number {
  if (typeof limit === 'number') return limit;
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)?$/i.exec(limit.trim());
  if (!m) throw new Error(`not a byte size: ${limit}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  return Math.floor(Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1));
}
