import type { EntryChange } from './timeline-model.js';

/** Connection state shown in the masthead. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'paused' | 'unavailable';

/**
 * The dashboard's EventSource on `/v1/stream`. EventSource reconnects by itself and sends
 * Last-Event-ID, so a dropped connection misses nothing; when the server refuses outright (a 4xx,
 * or a 429 over the per-client cap) EventSource gives up, and this retries after a pause from the
 * last id it saw.
 */
export class LiveFeed {
  private source?: EventSource;
  private lastId: string | null = null;
  private retryTimer?: number;
  private stopped = false;

  constructor(
    private readonly url: (lastEventId: string | null) => string,
    private readonly onChange: (change: EntryChange) => void,
    private readonly onState: (state: LiveState) => void,
  ) {}

  start(from: string | null): void {
    this.stopped = false;
    this.lastId = from;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = undefined;
  }

  private open(): void {
    this.onState('connecting');
    const source = new EventSource(this.url(this.lastId));
    this.source = source;
    source.addEventListener('open', () => this.onState('live'));
    source.addEventListener('ready', (ev) => {
      this.lastId = (ev as MessageEvent).lastEventId || this.lastId;
      this.onState('live');
    });
    source.addEventListener('entry', (ev) => {
      const msg = ev as MessageEvent<string>;
      this.lastId = msg.lastEventId || this.lastId;
      try {
        this.onChange(JSON.parse(msg.data) as EntryChange);
      } catch {
        /* a malformed message is skipped; the next one carries a newer id */
      }
    });
    source.addEventListener('error', () => {
      if (this.stopped || source !== this.source) return;
      if (source.readyState === EventSource.CLOSED) {
        this.onState('unavailable');
        this.retryTimer = window.setTimeout(() => {
          if (!this.stopped) this.open();
        }, 10_000);
      } else {
        this.onState('reconnecting');
      }
    });
  }
}
