import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { LOGGER, METRICS_REGISTRY, type Logger } from '@timeline/observability';
import type { TimelineNotification } from '@timeline/store';
import { startEventStream, StreamAdmission, type EventStreamHead } from '../http/event-stream.js';
import type { TimelineFilter } from '../query/timeline-filter.js';
import { ActiveProjectionCache } from '../read-model/active-projection.cache.js';
import { TimelineReader } from '../read-model/timeline-reader.js';
import { TimelineNotificationListener } from './notification-listener.js';
import { StreamPositionCodec, type HighWater, type StreamPosition } from './stream-position.js';
import { SharedChangeReads } from './shared-change-reads.js';
import { StreamSession, type SseResponse } from './stream-session.js';

/**
 * Safety net for lost notifications (they are dropped while the LISTEN connection reconnects):
 * this often, the hub compares the high-water mark with the last one it saw and wakes every
 * stream if it moved.
 */
const SAFETY_POLL_MS = 5000;
/** Notifications arriving within this window wake the streams once (a projector commits in bursts). */
const COALESCE_MS = 25;

/**
 * Every live stream of this API process: admits clients (cap per IP), fans notifications from the
 * one LISTEN connection out to the sessions, sends heartbeats, and closes all streams cleanly on
 * shutdown (EventSource clients then reconnect elsewhere with their Last-Event-ID).
 */
@Injectable()
export class LiveStreamHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly sessions = new Set<StreamSession>();
  private readonly admission: StreamAdmission;
  private readonly reads: SharedChangeReads;
  private wakeTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private pollTimer?: NodeJS.Timeout;
  private lastHighWater = '';

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(TimelineReader) private readonly reader: TimelineReader,
    @Inject(StreamPositionCodec) private readonly codec: StreamPositionCodec,
    @Inject(ActiveProjectionCache) private readonly projections: ActiveProjectionCache,
    @Inject(TimelineNotificationListener) private readonly listener: TimelineNotificationListener,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.admission = new StreamAdmission(config.api.streamMaxPerClient, 'streams', config.api.streamMaxTotal);
    const reads = (this.reads = new SharedChangeReads(reader));
    let counted = { queries: 0, shared: 0 };
    // Gauges read the hub at scrape time (collect), so they never drift from the real state.
    const sessions = this.sessions;
    new Gauge({
      name: 'timeline_api_stream_clients',
      help: 'Open /v1/stream connections in this process',
      registers: [registry],
      collect() {
        this.set(sessions.size);
      },
    });
    new Gauge({
      name: 'timeline_api_stream_listener_up',
      help: '1 while the LISTEN connection for live updates is up',
      registers: [registry],
      collect() {
        this.set(listener.connected ? 1 : 0);
      },
    });
    const queries = new Counter({
      name: 'timeline_api_stream_reads_total',
      help: 'Change reads of live streams by outcome: query (ran against PostgreSQL) or shared (answered by a read another stream started)',
      labelNames: ['outcome'],
      registers: [registry],
      collect() {
        const now = { ...reads.counts };
        queries.inc({ outcome: 'query' }, now.queries - counted.queries);
        queries.inc({ outcome: 'shared' }, now.shared - counted.shared);
        counted = now;
      },
    });
  }

  onModuleInit(): void {
    this.listener.onNotification((n) => this.notified(n));
    this.listener.onReconnect(() => this.scheduleWake());
    this.heartbeatTimer = setInterval(() => {
      for (const s of this.sessions) s.heartbeat();
    }, this.config.api.streamHeartbeatMs);
    this.heartbeatTimer.unref();
    this.pollTimer = setInterval(() => void this.poll(), SAFETY_POLL_MS);
    this.pollTimer.unref();
  }

  /** Number of open streams. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Admits a client: throws 429 over the per-IP cap, 503 over this process's total
   * (API_STREAM_MAX_TOTAL), before any byte is sent. Resumes after
   * `resumeFrom`, or starts at the current high-water mark (only changes applied from now on).
   */
  async open(
    clientIp: string,
    res: SseResponse & EventStreamHead,
    filter: TimelineFilter,
    resumeFrom?: StreamPosition,
  ): Promise<StreamSession> {
    const release = this.admission.admit(clientIp);
    let session: StreamSession | undefined;
    try {
      const position = resumeFrom ?? toPosition(await this.reader.highWater());
      startEventStream(res);
      session = new StreamSession(clientIp, res, filter, position, this.reads, this.codec, this.logger);
    } catch (err) {
      release();
      throw err;
    }
    const s = session;
    this.sessions.add(s);
    s.onClose(() => {
      if (this.sessions.delete(s)) release();
    });
    s.start();
    // The client may have gone while we read the position; 'close' already fired then.
    if (res.destroyed) s.close();
    return s;
  }

  beforeApplicationShutdown(): void {
    this.admission.close();
    clearInterval(this.heartbeatTimer);
    clearInterval(this.pollTimer);
    clearTimeout(this.wakeTimer);
    for (const s of [...this.sessions]) s.close('server shutting down; reconnect with Last-Event-ID');
  }

  private notified(n: TimelineNotification | null): void {
    // Channels are database-wide: another deployment (or test) sharing the database is not ours.
    if (n !== null && n.schema !== this.config.database.schema) return;
    // A rebuild writes a projection the API does not serve yet: its notifications wake nobody,
    // but they may mean the pointer is about to move, so the cached name is refreshed.
    this.projections.invalidate();
    if (n === null) {
      this.scheduleWake();
      return;
    }
    void this.projections.current().then(
      (active) => {
        if (active === n.projection) this.scheduleWake();
      },
      () => this.scheduleWake(),
    );
  }

  private scheduleWake(): void {
    if (this.wakeTimer || this.sessions.size === 0) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      for (const s of this.sessions) s.wake();
    }, COALESCE_MS);
  }

  private async poll(): Promise<void> {
    if (this.sessions.size === 0) return;
    try {
      const hw = await this.reader.highWater();
      const key = JSON.stringify([await this.projections.current(), [...(hw ?? new Map()).entries()].sort(([a], [b]) => a - b)]);
      if (key !== this.lastHighWater) {
        this.lastHighWater = key;
        this.scheduleWake();
      }
    } catch (err) {
      this.logger.warn({ err }, 'stream safety poll failed');
    }
  }
}

function toPosition(hw: HighWater | undefined): StreamPosition {
  return new Map([...(hw ?? new Map<number, string>())].map(([p, offset]) => [p, { offset }]));
}
