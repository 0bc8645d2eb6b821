import { CodedError } from '@timeline/http';
import { StreamAdmission, startEventStream } from './event-stream.js';

function refusal(fn: () => unknown): CodedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodedError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('StreamAdmission', () => {
  it('admits up to max streams per client, each client on its own count', () => {
    const admission = new StreamAdmission(2, 'replays');
    admission.admit('10.0.0.1');
    admission.admit('10.0.0.1');
    const err = refusal(() => admission.admit('10.0.0.1'));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.message).toBe('At most 2 concurrent replays are allowed per client (API_STREAM_MAX_PER_CLIENT); close one first.');
    expect(() => admission.admit('10.0.0.2')).not.toThrow();
  });

  it('a released stream frees its place once, however often release is called', () => {
    const admission = new StreamAdmission(2, 'streams');
    const first = admission.admit('c');
    admission.admit('c');
    first();
    first();
    admission.admit('c');
    expect(refusal(() => admission.admit('c')).code).toBe('RATE_LIMITED');
  });

  it('caps the streams of the process over all clients: 503 UNAVAILABLE.STREAM_CAPACITY with Retry-After, a place freed admits again', () => {
    const admission = new StreamAdmission(5, 'streams', 3);
    const releases = ['a', 'b', 'c'].map((c) => admission.admit(c));
    const err = refusal(() => admission.admit('d'));
    expect(err.code).toBe('UNAVAILABLE.STREAM_CAPACITY');
    expect(err.message).toContain('API_STREAM_MAX_TOTAL');
    expect(admission.size).toBe(3);
    releases[0]!();
    releases[0]!();
    expect(admission.size).toBe(2);
    expect(() => admission.admit('d')).not.toThrow();
    expect(refusal(() => admission.admit('e')).code).toBe('UNAVAILABLE.STREAM_CAPACITY');
  });

  it('admits nobody once closed (shutting down), even a client under the cap', () => {
    const admission = new StreamAdmission(5, 'streams');
    admission.close();
    expect(refusal(() => admission.admit('c')).code).toBe('UNAVAILABLE.SHUTTING_DOWN');
  });
});

describe('startEventStream', () => {
  it('answers 200 text/event-stream, unbuffered, and flushes the headers', () => {
    const calls: string[] = [];
    startEventStream({
      status: (c) => calls.push(`status ${c}`),
      setHeader: (n, v) => calls.push(`${n}: ${v}`),
      flushHeaders: () => calls.push('flush'),
    });
    expect(calls).toEqual([
      'status 200',
      'Content-Type: text/event-stream; charset=utf-8',
      'Cache-Control: no-cache, no-transform',
      'Connection: keep-alive',
      'X-Accel-Buffering: no',
      'flush',
    ]);
  });
});
