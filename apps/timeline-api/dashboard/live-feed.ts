import { t } from './i18n.js';
import type { EntryChange } from './timeline-model.js';

/**
 * Connection state shown in the masthead: `paused` while a past "as known at" is shown, `error`
 * while the query itself fails, `capped` over the API's per-client stream cap, `unavailable` for
 * any other refusal. The last three carry the reason.
 */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'paused' | 'error' | 'capped' | 'unavailable' | 'background';

/**
 * A tab hidden this long gives its stream back (and takes it again, from where it left off, when
 * shown): behind one office IP, tabs nobody looks at no longer hold the per-client cap's places.
 * A minute, so flicking between tabs does not reconnect (new connections are rate-limited per IP too).
 */
export const BACKGROUND_RELEASE_MS = 60_000;

/** A state and, for a refusal, why (the API's problem detail) and when the feed tries again. */
export interface LiveStatus {
  readonly state: LiveState;
  readonly reason?: string;
  readonly retryInSeconds?: number;
}

/**
 * The dashboard's EventSource on `/v1/stream`. EventSource reconnects by itself and sends
 * Last-Event-ID, so a dropped connection misses nothing; when the server refuses outright (a 4xx,
 * or a 429 over the per-client cap) EventSource gives up without saying why, so this asks the same
 * URL once with fetch to read the status and problem detail (issue 15: the 6th viewer behind one
 * newsroom NAT saw "Live updates unavailable" and nothing else), then retries after the server's
 * Retry-After from the last id it saw.
 */
export class LiveFeed {
  private source?: EventSource;
  private lastId: string | null = null;
  private retryTimer?: number;
  private hiddenTimer?: number;
  private stopped = true;
  /** The stream was given back while the tab was hidden; showing the tab resumes it. */
  private released = false;

  constructor(
    private readonly url: (lastEventId: string | null) => string,
    private readonly onChange: (change: EntryChange) => void,
    private readonly onState: (status: LiveStatus) => void,
  ) {
    document.addEventListener('visibilitychange', () => this.onVisibility());
  }

  start(from: string | null): void {
    this.stopped = false;
    this.released = false;
    this.lastId = from;
    this.open();
    this.onVisibility();
  }

  stop(): void {
    this.stopped = true;
    this.released = false;
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.hiddenTimer);
    this.source?.close();
    this.source = undefined;
  }

  /** Hidden for {@link BACKGROUND_RELEASE_MS}: close the stream. Shown again: reopen it from the last id seen (nothing is missed). */
  private onVisibility(): void {
    window.clearTimeout(this.hiddenTimer);
    if (this.stopped) return;
    if (document.visibilityState === 'hidden') {
      if (this.released) return;
      this.hiddenTimer = window.setTimeout(() => {
        if (this.stopped || document.visibilityState !== 'hidden') return;
        this.released = true;
        window.clearTimeout(this.retryTimer);
        this.source?.close();
        this.source = undefined;
        this.onState({
          state: 'background',
          reason: t('live.backgroundReason'),
        });
      }, BACKGROUND_RELEASE_MS);
    } else if (this.released) {
      this.released = false;
      this.open();
    }
  }

  private open(): void {
    this.onState({ state: 'connecting' });
    const source = new EventSource(this.url(this.lastId));
    this.source = source;
    source.addEventListener('open', () => this.onState({ state: 'live' }));
    source.addEventListener('ready', (ev) => {
      this.lastId = (ev as MessageEvent).lastEventId || this.lastId;
      this.onState({ state: 'live' });
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
      if (source.readyState === EventSource.CLOSED) void this.explainRefusal(source);
      else this.onState({ state: 'reconnecting' });
    });
  }

  /** Reads why the stream was refused, reports it, and schedules the next attempt. */
  private async explainRefusal(source: EventSource): Promise<void> {
    let status: LiveStatus = { state: 'unavailable', reason: t('live.unreachable') };
    let retryIn = 10;
    const probe = new AbortController();
    try {
      const res = await fetch(source.url, { headers: { Accept: 'text/event-stream' }, signal: probe.signal });
      retryIn = Math.min(300, Math.max(2, Number(res.headers.get('retry-after')) || (res.ok ? 2 : 10)));
      if (res.ok) status = { state: 'reconnecting' };
      else {
        const detail = await res
          .json()
          .then((p: { detail?: string }) => p.detail)
          .catch(() => undefined);
        status = {
          state: res.status === 429 ? 'capped' : 'unavailable',
          reason:
            res.status === 429
              ? t('live.tooMany', { detail: detail ?? '' }).replace(/\s+/g, ' ')
              : (detail ?? t('live.serverAnswered', { status: res.status })),
        };
      }
    } catch {
      /* offline: the default reason */
    } finally {
      probe.abort();
    }
    if (this.stopped || source !== this.source) return;
    this.onState({ ...status, retryInSeconds: retryIn });
    this.retryTimer = window.setTimeout(() => {
      if (!this.stopped && source === this.source) this.open();
    }, retryIn * 1000);
  }
}
