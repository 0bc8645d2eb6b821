import type { EventEnvelope } from '@timeline/events';
import type { Logger } from '@timeline/observability';
import type { EventLogReplay, ReplayQuery } from '@timeline/store';
import { displayDate } from '../presentation/display-date.js';
import type { SseResponse } from '../stream/stream-session.js';

/** Pacing of one replay. */
export interface ReplayPacing {
  /** Speed factor: one real second covers `speed` seconds of the past. */
  readonly speed: number;
  /** Longest pause between two events, in ms; longer gaps are shortened to this. */
  readonly maxGapMs: number;
  /** Heartbeat comment interval while waiting, in ms. */
  readonly heartbeatMs: number;
}

/** Only events naming one of these countries (an actor's or a location's, ISO 3166-1 alpha-2; empty = all). */
export function namesCountry(event: Pick<EventEnvelope, 'actors' | 'locations'>, countries: ReadonlySet<string>): boolean {
  if (countries.size === 0) return true;
  return (
    event.actors.some((a) => a.country !== undefined && countries.has(a.country)) || event.locations.some((l) => countries.has(l.country))
  );
}

/** `data:` of a `replay` event. */
export interface ReplayEventMessage {
  /** The envelope, upcast to the current schema version. */
  readonly event: unknown;
  /** 1-based index in this replay. */
  readonly index: number;
  /** Pause before this event, in ms (after scaling and capping). */
  readonly delayMs: number;
  /** True when the real gap was longer than `maxGapMs` allows and was shortened. */
  readonly gapShortened: boolean;
  /** When it happened, worded as the timeline words it (`displayDate` of an entry: its own zone, its precision). */
  readonly displayDate: string;
}

/**
 * One `GET /v1/replay` client: reads the window from `event_log` in occurredAt order (page by page)
 * and sends each event when its time comes — the delay before event i is
 * `min((occurredAt[i] − occurredAt[i−1]) / speed, maxGap)`, measured against one schedule from the
 * start so pauses do not drift. Ends with an `end` event; stops at once when the client leaves.
 */
export class ReplayStream {
  private closed = false;
  private wake?: () => void;

  constructor(
    private readonly res: SseResponse,
    private readonly replay: EventLogReplay,
    private readonly query: ReplayQuery,
    private readonly pacing: ReplayPacing,
    private readonly logger: Logger,
    /** Countries to keep (the timeline's `country` filter); other events are skipped, not paced. */
    private readonly countries: ReadonlySet<string> = new Set(),
  ) {
    res.once('close', () => this.close());
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  /** Streams the whole replay; resolves when it ended or the client left. */
  async run(ready: Record<string, unknown>): Promise<void> {
    let count = 0;
    let undecodable = 0;
    try {
      this.send('ready', ready);
      const started = performance.now();
      let dueAt = 0;
      let previous: number | undefined;
      for await (const { event } of this.replay.events(this.query, () => void undecodable++)) {
        if (this.closed) return;
        if (!namesCountry(event, this.countries)) continue;
        const at = Date.parse(event.occurredAt);
        const real = previous === undefined ? 0 : Math.max(0, at - previous) / this.pacing.speed;
        const delay = Math.min(real, this.pacing.maxGapMs);
        previous = at;
        dueAt += delay;
        await this.waitUntil(started + dueAt);
        if (this.closed) return;
        count++;
        const message: ReplayEventMessage = {
          event,
          index: count,
          delayMs: Math.round(delay),
          gapShortened: real > this.pacing.maxGapMs,
          displayDate: wordedDate(event),
        };
        if (!this.send('replay', message, String(count))) await this.drained();
      }
      this.send('end', { count, undecodable });
    } catch (err) {
      this.logger.warn({ err }, 'replay stream failed');
      this.send('error', { message: 'The replay could not be read to the end; reconnect to start it again.' });
    } finally {
      if (!this.res.writableEnded) this.res.end();
    }
  }

  private send(event: string, data: unknown, id?: string): boolean {
    if (this.closed || this.res.destroyed || this.res.writableEnded) return true;
    return this.res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private async waitUntil(deadline: number): Promise<void> {
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0 || this.closed) return;
      const slice = Math.min(left, this.pacing.heartbeatMs);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, slice);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
      if (!this.closed && performance.now() < deadline && !this.res.destroyed) this.res.write(': heartbeat\n\n');
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      this.res.once('drain', resolve);
      this.res.once('close', resolve);
    });
  }
}

/** {@link displayDate} of the event; an instant no zone can show is given as stored rather than failing the replay. */
function wordedDate(e: EventEnvelope): string {
  try {
    return displayDate(e.occurredAt, e.occurredAtPrecision, e.occurredUntil ?? null, e.occurredTz ?? null);
  } catch {
    return e.occurredAt;
  }
}
