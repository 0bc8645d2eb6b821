import type { Logger } from '@timeline/observability';
import { entryView, isoOut, noticesOf, type EntryView } from '../presentation/entry-view.js';
import type { TimelineFilter } from '../query/timeline-filter.js';
import type { VersionRow } from '../read-model/timeline-reader.js';
import type { ChangeSource } from './shared-change-reads.js';
import { advanceTo, after, type StreamPosition, type StreamPositionCodec } from './stream-position.js';

/** The slice of Express's response an SSE session writes to. */
export interface SseResponse {
  write(chunk: string): boolean;
  end(): unknown;
  once(event: 'drain' | 'close', cb: () => void): unknown;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

/** `data:` of an `entry` event. */
export interface EntryChangeMessage {
  change: VersionRow['change'];
  version: number;
  severity: VersionRow['correction_severity'];
  note: string | null;
  recordedAt: string;
  entry: EntryView;
}

/** Changes read per query while catching up (then the next query continues from the last one). */
const BATCH = 200;

/**
 * One client of `GET /v1/stream`. Holds the client's commit-ordered position and, whenever woken
 * (a NOTIFY, the safety poll, or its own start), sends every change after that position that
 * matches its filters, each with `id:` = the position just after it. Runs one read at a time and
 * coalesces wake-ups that arrive meanwhile, so nothing is sent twice and nothing is skipped.
 */
export class StreamSession {
  private running = false;
  private again = false;
  private closed = false;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    readonly clientIp: string,
    private readonly res: SseResponse,
    private readonly filter: TimelineFilter,
    private position: StreamPosition,
    private readonly reader: ChangeSource,
    private readonly codec: StreamPositionCodec,
    private readonly logger: Logger,
  ) {
    res.once('close', () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  /** Sends the retry hint and a `ready` event carrying the starting position, then catches up. */
  start(): void {
    this.res.write(`retry: 2000\n`);
    this.send('ready', { position: this.codec.encode(this.position) }, this.codec.encode(this.position));
    this.wake();
  }

  /** Asks the session to read and send new changes (coalesced while a read runs). */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.pump();
  }

  /** A comment line: keeps proxies from timing the connection out and lets clients detect dead links. */
  heartbeat(): void {
    if (!this.closed) this.res.write(`: heartbeat\n\n`);
  }

  /** Ends the response (client left, server shutting down, or a read failed: the client resumes by id). */
  close(comment?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.res.writableEnded && !this.res.destroyed) {
      if (comment) this.res.write(`: ${comment}\n\n`);
      this.res.end();
    }
    for (const h of this.closeHandlers.splice(0)) h();
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.catchUp();
      } while (this.again && !this.closed);
    } catch (err) {
      // The client reconnects with its Last-Event-ID (EventSource does so by itself) and misses nothing.
      this.logger.warn({ err, clientIp: this.clientIp }, 'stream read failed; closing the stream');
      this.close('read failed; reconnect with Last-Event-ID');
    } finally {
      this.running = false;
    }
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const { rows, highWater } = await this.reader.changes(this.position, this.filter, BATCH);
      for (const row of rows) {
        if (this.closed) return;
        this.position = after(this.position, {
          partition: row.source_partition,
          offset: row.source_offset,
          entryId: row.entry_id,
          version: row.version,
        });
        await this.sendWithBackpressure('entry', entryData(row), this.codec.encode(this.position));
      }
      if (rows.length < BATCH) {
        // Every matching change up to the snapshot's high-water mark has been sent: skip past the
        // non-matching ones so the next read starts there. (The client's id stays at its last
        // event; resuming from it re-reads only changes that did not match.)
        if (highWater) this.position = advanceTo(this.position, highWater);
        return;
      }
    }
  }

  /** `data` is JSON text already (entry data is shared between sessions) or a value to serialise. */
  private send(event: string, data: unknown, id: string): boolean {
    if (this.closed) return true;
    return this.res.write(`id: ${id}\nevent: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }

  private async sendWithBackpressure(event: string, data: string, id: string): Promise<void> {
    if (!this.send(event, data, id) && !this.closed) {
      await new Promise<void>((resolve) => {
        this.res.once('drain', resolve);
        this.closeHandlers.push(resolve);
      });
    }
  }
}

/**
 * The `data:` JSON of a change row, built once per row: sessions that shared a read
 * ({@link SharedChangeReads}) hold the same row objects, so a change fanned out to 1,000 streams with
 * the same filter is rendered once, not 1,000 times.
 */
const rendered = new WeakMap<VersionRow, string>();
function entryData(row: VersionRow): string {
  let json = rendered.get(row);
  if (json === undefined) rendered.set(row, (json = JSON.stringify(message(row))));
  return json;
}

function message(row: VersionRow): EntryChangeMessage {
  return {
    change: row.change,
    version: row.version,
    severity: row.correction_severity,
    note: row.change_note,
    recordedAt: isoOut(row.recorded_from),
    entry: entryView(row, noticesOf([row])),
  };
}
