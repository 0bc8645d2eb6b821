import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { LOGGER, type Logger } from '@timeline/observability';
import { TIMELINE_NOTIFY_CHANNEL, parseTimelineNotification, type TimelineNotification } from '@timeline/store';

/** Receives `timeline` notifications: `null` for a payload this version does not understand. */
export type NotificationHandler = (notification: TimelineNotification | null) => void;

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * The API process's one dedicated Postgres connection in `LISTEN timeline` mode. Every live stream
 * of the process fans out from it (a pooled connection cannot LISTEN: it would be handed to other
 * queries). Reconnects with backoff; `onReconnect` handlers run after each re-LISTEN, because
 * notifications sent while the connection was down are lost and readers must catch up by position.
 */
@Injectable()
export class TimelineNotificationListener implements OnModuleInit, OnApplicationShutdown {
  private client?: pg.Client;
  private readonly handlers = new Set<NotificationHandler>();
  private readonly reconnectHandlers = new Set<() => void>();
  private stopped = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private listening = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** True while the LISTEN connection is up. */
  get connected(): boolean {
    return this.listening;
  }

  onNotification(handler: NotificationHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  async onModuleInit(): Promise<void> {
    // Boot does not wait for LISTEN: REST must work even while the listener retries.
    void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    this.listening = false;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.config.database.url,
      ssl: this.config.database.ssl ? { rejectUnauthorized: true } : false,
      application_name: 'timeline-api-listener',
      keepAlive: true,
      connectionTimeoutMillis: 5000,
    });
    client.on('notification', (msg) => {
      if (msg.channel !== TIMELINE_NOTIFY_CHANNEL) return;
      const n = msg.payload ? parseTimelineNotification(msg.payload) : null;
      for (const h of this.handlers) h(n);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      // Channel name is a constant identifier from libs/store, never client input.
      await client.query(`LISTEN "${TIMELINE_NOTIFY_CHANNEL}"`);
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.listening = true;
      const wasRetry = this.attempt > 0;
      this.attempt = 0;
      this.logger.info({ channel: TIMELINE_NOTIFY_CHANNEL }, 'listening for timeline notifications');
      if (wasRetry) for (const h of this.reconnectHandlers) h();
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.lost(client, err);
    }
  }

  private lost(client: pg.Client, err: unknown): void {
    if (this.stopped || (this.client && this.client !== client)) return;
    if (this.client === client) {
      this.client = undefined;
      this.listening = false;
      client.removeAllListeners('end');
      void client.end().catch(() => undefined);
    }
    if (this.retryTimer) return;
    this.attempt += 1;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(this.attempt - 1, 10));
    this.logger.warn({ err, attempt: this.attempt, retryInMs: delay }, 'timeline LISTEN connection lost; reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
