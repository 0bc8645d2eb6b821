import { CodedError } from '@timeline/http';

/** The slice of Express's response that starts a Server-Sent Events stream. */
export interface EventStreamHead {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
  flushHeaders(): void;
}

/** Answers 200 `text/event-stream` and sends the headers now, before the first event. */
export function startEventStream(res: EventStreamHead): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  // Tell reverse proxies (nginx) not to buffer the stream.
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
}

/**
 * Who may open one more long-lived stream of one kind (`/v1/stream`, `/v1/replay`): at most `max`
 * open per client address (API_STREAM_MAX_PER_CLIENT), at most `maxTotal` in the process over all
 * clients (API_STREAM_MAX_TOTAL, issue 13: 503 + Retry-After, so a client retries — or a balancer
 * sends it to another replica), none once the process is shutting down.
 */
export class StreamAdmission {
  private readonly open = new Map<string, number>();
  private total = 0;
  private closed = false;

  /** @param streams what the 429 message calls these streams ("streams", "replays"). */
  constructor(
    private readonly max: number,
    private readonly streams: string,
    private readonly maxTotal = Number.POSITIVE_INFINITY,
  ) {}

  /** Streams open now, all clients together. */
  get size(): number {
    return this.total;
  }

  /**
   * Counts one more stream of `client`, or throws 503 (shutting down) / 429 (at the cap). Returns
   * the release for that stream; calling it more than once releases once.
   */
  admit(client: string): () => void {
    if (this.closed) {
      throw new CodedError('UNAVAILABLE.SHUTTING_DOWN', 'This API instance is shutting down; reconnect.', [], { retryAfterSeconds: 1 });
    }
    if (this.total >= this.maxTotal) {
      // Spread the reconnects of a crowd over a while instead of all at once.
      const retry = 5 + Math.floor(Math.random() * 10);
      throw new CodedError(
        'UNAVAILABLE.STREAM_CAPACITY',
        `This API instance serves its maximum of ${this.maxTotal} concurrent ${this.streams} (API_STREAM_MAX_TOTAL); retry after ${retry} s, or poll /v1/timeline meanwhile.`,
        [],
        { retryAfterSeconds: retry },
      );
    }
    const count = this.open.get(client) ?? 0;
    if (count >= this.max) {
      throw new CodedError(
        'RATE_LIMITED',
        `At most ${this.max} concurrent ${this.streams} are allowed per client (API_STREAM_MAX_PER_CLIENT); close one first.`,
        [],
        { retryAfterSeconds: 10 },
      );
    }
    this.open.set(client, count + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.open.get(client) ?? 1) - 1;
      if (n <= 0) this.open.delete(client);
      else this.open.set(client, n);
    };
  }

  /** Admits nobody from now on (the process is shutting down). */
  close(): void {
    this.closed = true;
  }
}
