import { randomUUID } from 'node:crypto';
import { readinessRaised, statementIssued } from './event-factory.js';
import { sleep } from './wait.js';

/** One ingest input (no `recordedAt`: ingest stamps it). */
export type IngestInput = Record<string, unknown> & { eventId: string; storyId: string; occurredAt: string };

const TEMPLATES = (() => {
  const strip = (e: Record<string, unknown>) => {
    const { recordedAt: _recordedAt, eventId: _eventId, ...rest } = e;
    return rest;
  };
  // Built (and validated by the factory) once; copies only change ids, story and dates.
  return [strip(readinessRaised()), strip(statementIssued())];
})();

const START = Date.parse('2021-11-01T00:00:00Z');
const HOURS = 116 * 24; // 1 Nov 2021 – 24 Feb 2022

/**
 * The `seq`-th event of a load: alternating types, `storyCount` stories, an hour-precision
 * `occurredAt` scattered pseudo-randomly over Nov 2021–Feb 2022 (so arrival order is not timeline order).
 */
export function ingestInput(seq: number, opts: { storyPrefix?: string; storyCount?: number; occurredAt?: string } = {}): IngestInput {
  const hour = (Math.imul(seq + 1, 2654435761) >>> 0) % HOURS;
  const occurredAt = opts.occurredAt ?? new Date(START + hour * 3_600_000).toISOString().replace('.000Z', 'Z');
  return {
    ...TEMPLATES[seq % 2]!,
    eventId: randomUUID(),
    storyId: `${opts.storyPrefix ?? 'load-story'}-${seq % (opts.storyCount ?? 7)}`,
    occurredAt,
    occurredAtPrecision: 'hour',
    summary: `Load event ${seq}`,
  };
}

/** Options of {@link IngestLoad}. */
export interface IngestLoadOptions {
  /** Base URL of a running ingest. */
  readonly url: string;
  /** An editor key. */
  readonly apiKey: string;
  /** Events per `POST /v1/events/batch`. @default 50 */
  readonly batchSize?: number;
  /** Requests in flight at once. @default 2 */
  readonly concurrency?: number;
  /** Target events per second over all workers; unset = full rate (as fast as ingest answers). */
  readonly eventsPerSecond?: number;
  /** Abort a request after this long (its events count as unknown, not accepted). @default 60000 */
  readonly requestTimeoutMs?: number;
  /** Builds the `seq`-th event. @default ingestInput */
  readonly makeEvent?: (seq: number) => IngestInput;
}

/** What the load saw. `accepted` holds only eventIds ingest answered 202 for — the ones that must be projected. */
export interface IngestLoadReport {
  readonly accepted: string[];
  /** Events sent in requests answered 503 (Kafka did not acknowledge): may or may not be on the topic. */
  readonly unavailable: string[];
  /** When each 503 answer arrived (epoch ms), to place them against the faults' time windows. */
  readonly unavailableAt: number[];
  readonly requests: number;
  readonly statuses: Record<string, number>;
  /** 503 answers without a `Retry-After` header or without the eventIds to retry (must stay empty). */
  readonly badUnavailable: { retryAfter: string | null; body: string }[];
  /** Answers other than 202/503 (must stay empty under a fault: no 500, no 4xx for valid input). */
  readonly unexpected: { status: number; body: string }[];
  /** Requests with no HTTP answer (connection refused/reset, timeout). */
  readonly transportErrors: number;
  /** 202 answers whose eventIds differ from the ones sent. */
  readonly mismatched: number;
  readonly durationMs: number;
}

/**
 * Sustained load on the ingest API: `concurrency` workers each post batches of fresh events as fast as
 * answers come (closed loop, so a slow or failing ingest slows the load instead of piling requests up).
 */
export class IngestLoad {
  private seq = 0;
  private running = false;
  private workers: Promise<void>[] = [];
  private startedAt = 0;
  private readonly acceptedIds: string[] = [];
  private readonly unavailableIds: string[] = [];
  private readonly unavailableAt: number[] = [];
  private readonly statuses: Record<string, number> = {};
  private readonly badUnavailable: IngestLoadReport['badUnavailable'] = [];
  private readonly unexpected: IngestLoadReport['unexpected'] = [];
  private transportErrors = 0;
  private mismatched = 0;
  private requests = 0;

  constructor(private readonly opts: IngestLoadOptions) {}

  /** Events answered 202 so far. */
  get acceptedCount(): number {
    return this.acceptedIds.length;
  }

  /** Requests answered so far with `status`. */
  count(status: number | 'transport'): number {
    return status === 'transport' ? this.transportErrors : (this.statuses[String(status)] ?? 0);
  }

  start(): this {
    if (this.running) return this;
    this.running = true;
    this.startedAt = Date.now();
    this.workers = Array.from({ length: this.opts.concurrency ?? 2 }, () => this.work());
    return this;
  }

  /** Stops after the requests in flight answered; returns the report. */
  async stop(): Promise<IngestLoadReport> {
    this.running = false;
    await Promise.all(this.workers);
    return this.report();
  }

  report(): IngestLoadReport {
    return {
      accepted: [...this.acceptedIds],
      unavailable: [...this.unavailableIds],
      unavailableAt: [...this.unavailableAt],
      requests: this.requests,
      statuses: { ...this.statuses },
      badUnavailable: [...this.badUnavailable],
      unexpected: [...this.unexpected],
      transportErrors: this.transportErrors,
      mismatched: this.mismatched,
      durationMs: Date.now() - this.startedAt,
    };
  }

  private async work(): Promise<void> {
    const make = this.opts.makeEvent ?? ((seq: number) => ingestInput(seq));
    while (this.running) {
      const first = this.seq;
      const events = Array.from({ length: this.opts.batchSize ?? 50 }, () => make(this.seq++));
      if (this.opts.eventsPerSecond) {
        // Paced: the batch starting at event `first` is due at first / rate seconds after the start.
        const due = this.startedAt + (first / this.opts.eventsPerSecond) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
        if (!this.running) break;
      }
      await this.post(events);
    }
  }

  private async post(events: IngestInput[]): Promise<void> {
    this.requests++;
    let res: Response;
    let body: string;
    try {
      res = await fetch(`${this.opts.url}/v1/events/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': this.opts.apiKey },
        body: JSON.stringify({ events }),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 60_000),
      });
      body = await res.text();
    } catch {
      this.transportErrors++;
      // A refused connection answers instantly: do not spin.
      await sleep(200);
      return;
    }
    this.statuses[String(res.status)] = (this.statuses[String(res.status)] ?? 0) + 1;
    const sent = events.map((e) => e.eventId);
    if (res.status === 202) {
      const got = (JSON.parse(body) as { events: { eventId: string }[] }).events.map((e) => e.eventId);
      if (got.join() !== sent.join()) this.mismatched++;
      this.acceptedIds.push(...got);
    } else if (res.status === 503) {
      this.unavailableIds.push(...sent);
      this.unavailableAt.push(Date.now());
      const problem = JSON.parse(body) as { eventIds?: string[] };
      const retryAfter = res.headers.get('retry-after');
      if (!retryAfter || !/^\d+$/.test(retryAfter) || problem.eventIds?.join() !== sent.join()) {
        this.badUnavailable.push({ retryAfter, body: body.slice(0, 500) });
      }
      await sleep(200);
    } else {
      this.unexpected.push({ status: res.status, body: body.slice(0, 500) });
    }
  }
}
