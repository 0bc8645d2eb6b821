import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from '@timeline/observability';
import { CodedError, DEFAULT_CODE_STATUS, statusForCode, type ProblemCode, type ProblemDetails } from './problem.js';

interface HttpResponseLike {
  status(code: number): HttpResponseLike;
  setHeader(name: string, value: string): void;
  headersSent?: boolean;
  end(body?: string): void;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The code of a framework exception by its status. */
const HTTP_STATUS_CODES: Partial<Record<number, ProblemCode>> = {
  400: 'REQUEST.INVALID',
  401: 'AUTH.MISSING_KEY',
  403: 'AUTH.FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'REQUEST.METHOD_NOT_ALLOWED',
  406: 'REQUEST.NOT_ACCEPTABLE',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Errors thrown by Express's body parser carry `type` and `status`. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
}
function isBodyParserError(e: unknown): e is BodyParserError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as BodyParserError).type === 'string' &&
    typeof (e as BodyParserError).status === 'number'
  );
}

/**
 * Every error leaves as `application/problem+json` (RFC 9457). Unknown errors become a 500 whose
 * body says nothing internal; the log keeps the details.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly codeStatus: Readonly<Record<string, number>> = DEFAULT_CODE_STATUS,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<HttpResponseLike>();
    const req = ctx.getRequest<{ url?: string; method?: string }>();
    const problem = this.toProblem(exception);
    problem.instance = req.url?.split('?')[0];
    if (problem.status >= 500) {
      this.logger.error({ err: exception, method: req.method, url: problem.instance }, 'request failed');
    } else {
      this.logger.debug({ status: problem.status, code: problem.code, url: problem.instance }, 'request rejected');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    const retryAfter = problem['retryAfterSeconds'];
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    // Every 429 says when to come back (RFC 6585), even one raised without a computed delay.
    else if (problem.status === 429) res.setHeader('Retry-After', '60');
    res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
    res.status(problem.status).end(JSON.stringify(problem));
  }

  private toProblem(e: unknown): ProblemDetails {
    if (e instanceof CodedError) {
      const status = statusForCode(e.code, this.codeStatus);
      return {
        type: `urn:timeline:problem:${e.code.toLowerCase()}`,
        title: TITLES[status] ?? 'Error',
        status,
        code: e.code,
        detail: e.message,
        ...(e.errors.length ? { errors: e.errors } : {}),
        ...e.extensions,
      };
    }
    if (isBodyParserError(e)) {
      const tooLarge = e.type === 'entity.too.large';
      const status = tooLarge ? 413 : e.status >= 400 && e.status < 500 ? e.status : 400;
      const code = tooLarge ? 'REQUEST.TOO_LARGE' : e.type === 'entity.parse.failed' ? 'REQUEST.MALFORMED' : 'REQUEST.INVALID';
      return {
        type: `urn:timeline:problem:${code.toLowerCase()}`,
        title: TITLES[status] ?? 'Bad Request',
        status,
        code,
        detail: tooLarge
          ? 'The request body is larger than this endpoint accepts; split it into smaller requests.'
          : e.type === 'entity.parse.failed'
            ? `The request body is not valid JSON: ${e.message}`
            : e.message,
      };
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const body = e.getResponse();
      const cause = (e as { cause?: unknown }).cause;
      if (isBodyParserError(cause)) return this.toProblem(cause);
      const detail = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? e.message);
      // Nest's own exceptions (unknown route, wrong method) get a code too: every 4xx carries one.
      const code: ProblemCode = HTTP_STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'REQUEST.INVALID');
      return {
        type: `urn:timeline:problem:${code.toLowerCase()}`,
        title: TITLES[status] ?? 'Error',
        status,
        code,
        detail: Array.isArray(detail) ? detail.join('; ') : String(detail),
      };
    }
    return {
      type: 'urn:timeline:problem:internal',
      title: TITLES[HttpStatus.INTERNAL_SERVER_ERROR] as string,
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL',
      detail: 'An unexpected error occurred; it has been logged. Retry later or contact the operators.',
    };
  }
}
