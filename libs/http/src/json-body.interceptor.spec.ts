import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { of } from 'rxjs';
import { JsonBodyInterceptor } from './json-body.interceptor.js';

/** A request as Express hands it over: headers plus the body as an async stream of chunks. */
function request(contentType: string, body: string): { headers: Record<string, string>; body?: unknown } & AsyncIterable<Buffer> {
  return {
    headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) },
    async *[Symbol.asyncIterator]() {
      yield Buffer.from(body);
    },
  };
}

async function readBody(contentType: string, body: string): Promise<unknown> {
  const req = request(contentType, body);
  const ctx = { getType: () => 'http', switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  const next: CallHandler = { handle: () => of(null) };
  await new JsonBodyInterceptor(1024).intercept(ctx, next);
  return req.body;
}

describe('JsonBodyInterceptor', () => {
  it.each(['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json; charset=utf-8'])(
    'reads %s bodies',
    async (type) => {
      expect(await readBody(type, '{"specversion":"1.0"}')).toEqual({ specversion: '1.0' });
    },
  );

  it('leaves bodies of other media types unread (the handler answers 415)', async () => {
    expect(await readBody('text/plain', '{"a":1}')).toBeUndefined();
    expect(await readBody('application/x-www-form-urlencoded', 'a=1')).toBeUndefined();
  });

  it('reads an empty JSON body as an empty object, so validation names the missing fields (the fuzz found a 415)', async () => {
    expect(await readBody('application/json', '')).toEqual({});
  });
});
