import { createHash } from 'node:crypto';

/** The slice of Express's request/response this helper needs. */
export interface JsonRequest {
  headers: Record<string, string | string[] | undefined>;
}
export interface JsonResponse {
  setHeader(name: string, value: string): unknown;
  status(code: number): JsonResponse;
  end(body?: string): unknown;
}

/** Strong validator of a response body (SHA-256, base64url). */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body, 'utf8').digest('base64url')}"`;
}

/** RFC 9110 `If-None-Match` (weak comparison, lists and `*`). */
export function ifNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return value.split(',').some((t) => t.trim().replace(/^W\//, '') === opaque);
}

/**
 * Sends `body` as JSON with an ETag; answers `304 Not Modified` (no body) when the client already
 * holds this exact representation. `no-cache` makes caches revalidate every time: the timeline
 * changes whenever an event is applied, and revalidation is what the ETag makes cheap.
 */
export function sendJsonWithEtag(req: JsonRequest, res: JsonResponse, body: unknown): void {
  const text = JSON.stringify(body);
  const etag = etagOf(text);
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'no-cache');
  if (ifNoneMatch(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.status(200).end(text);
}
