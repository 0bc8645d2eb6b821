import { etagOf, ifNoneMatch, sendJsonWithEtag, type JsonResponse } from './conditional-get.js';

class FakeResponse implements JsonResponse {
  code = 0;
  body: string | undefined;
  headers: Record<string, string> = {};
  setHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  status(code: number) {
    this.code = code;
    return this;
  }
  end(body?: string) {
    this.body = body;
  }
}

describe('conditional GET', () => {
  const tag = etagOf('{"a":1}');

  it('matches exact, weak and listed validators and *', () => {
    expect(ifNoneMatch(tag, tag)).toBe(true);
    expect(ifNoneMatch(`W/${tag}`, tag)).toBe(true);
    expect(ifNoneMatch(`"other", ${tag}`, tag)).toBe(true);
    expect(ifNoneMatch('*', tag)).toBe(true);
    expect(ifNoneMatch('"other"', tag)).toBe(false);
    expect(ifNoneMatch(undefined, tag)).toBe(false);
  });

  it('sends 200 with an ETag, then 304 without a body', () => {
    const first = new FakeResponse();
    sendJsonWithEtag({ headers: {} }, first, { a: 1 });
    expect(first.code).toBe(200);
    expect(first.body).toBe('{"a":1}');
    expect(first.headers.etag).toBe(tag);
    const second = new FakeResponse();
    sendJsonWithEtag({ headers: { 'if-none-match': tag } }, second, { a: 1 });
    expect(second.code).toBe(304);
    expect(second.body).toBeUndefined();
    const changed = new FakeResponse();
    sendJsonWithEtag({ headers: { 'if-none-match': tag } }, changed, { a: 2 });
    expect(changed.code).toBe(200);
  });
});
