import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { eventContentDigest, type PreparedEvent } from '@timeline/events';
import { LOGGER } from '@timeline/observability';

/** An event whose eventId is already taken by other content. */
export interface IdConflict {
  readonly index: number;
  readonly eventId: string;
  readonly storedDigest: string;
  readonly digest: string;
}

/** How many recently published digests one ingest process remembers (the window before the projector stores them). */
const RECENT_LIMIT = 50_000;

/**
 * Idempotency that tells the truth (issue 19): a reused eventId with *different* content is refused
 * with 409 instead of a 202 whose event the projector then drops. Looks in two places — the digests
 * this process published recently (the projector may not have stored them yet) and the archive
 * `event_log` in PostgreSQL (read only: a `SELECT` by primary key). The check is best effort: when
 * PostgreSQL cannot answer, ingest still accepts, and the projector — the authority — dead-letters a
 * conflicting event as `EVENT.ID_CONFLICT`, so a conflict is never silent either way.
 */
@Injectable()
export class StoredEventLookup implements OnApplicationShutdown {
  private readonly recent = new Map<string, string>();
  /** Absent when ingest runs without DATABASE_URL: then only recent publishes are checked here. */
  private readonly pool: pg.Pool | undefined;
  private readonly table: string;
  private warned = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.pool = !config.database.configured
      ? undefined
      : new pg.Pool({
          connectionString: config.database.url,
          ...(config.database.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
          max: 2,
          connectionTimeoutMillis: 2_000,
          statement_timeout: 2_000,
          application_name: 'ingest-idempotency',
        });
    this.pool?.on('error', () => undefined);
    this.table = `"${config.database.schema.replace(/"/g, '""')}".event_log`;
  }

  /** The events of `envelopes` whose eventId is stored or recently published with other content. */
  async conflicts(envelopes: readonly PreparedEvent[]): Promise<IdConflict[]> {
    const digests = envelopes.map((e) => eventContentDigest(e as unknown as Record<string, unknown>));
    const known = new Map<string, string>();
    for (const e of envelopes) {
      const d = this.recent.get(e.eventId.toLowerCase());
      if (d) known.set(e.eventId.toLowerCase(), d);
    }
    const unknown = envelopes.map((e) => e.eventId.toLowerCase()).filter((id) => !known.has(id));
    for (const [id, d] of await this.stored(unknown)) known.set(id, d);
    return envelopes.flatMap((e, index) => {
      const storedDigest = known.get(e.eventId.toLowerCase());
      const digest = digests[index]!;
      return storedDigest && storedDigest !== digest ? [{ index, eventId: e.eventId, storedDigest, digest }] : [];
    });
  }

  /**
   * Story and type of each of `ids` archived in `event_log`; undefined when it cannot tell (ingest
   * runs without DATABASE_URL, or PostgreSQL did not answer). A stored event's story never changes,
   * so what this finds is final; an id it does not find is not stored (yet).
   */
  async storedKinds(ids: readonly string[]): Promise<Map<string, { storyId: string; type: string }> | undefined> {
    const out = new Map<string, { storyId: string; type: string }>();
    if (!this.pool) return undefined;
    if (ids.length === 0) return out;
    try {
      const { rows } = await this.pool.query<{ event_id: string; story_id: string; type: string }>(
        `SELECT event_id::text AS event_id, story_id, type FROM ${this.table} WHERE event_id = ANY($1::uuid[])`,
        [ids.map((id) => id.toLowerCase())],
      );
      for (const r of rows) out.set(r.event_id, { storyId: r.story_id, type: r.type });
    } catch (err) {
      if ((err as { code?: string }).code !== '42P01' && !this.warned) {
        this.warned = true;
        this.logger.warn({ err }, 'merge check skipped: PostgreSQL did not answer (the projector still refuses invalid merges)');
      }
      return undefined;
    }
    return out;
  }

  /** Whether this process published `id` recently (acknowledged by Kafka, maybe not stored yet). */
  publishedRecently(id: string): boolean {
    return this.recent.has(id.toLowerCase());
  }

  /** Remembers what was just acknowledged by Kafka. */
  remember(envelopes: readonly PreparedEvent[]): void {
    for (const e of envelopes) {
      const id = e.eventId.toLowerCase();
      this.recent.delete(id);
      this.recent.set(id, eventContentDigest(e as unknown as Record<string, unknown>));
    }
    for (const oldest of this.recent.keys()) {
      if (this.recent.size <= RECENT_LIMIT) break;
      this.recent.delete(oldest);
    }
  }

  private async stored(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (ids.length === 0 || !this.pool) return out;
    try {
      const { rows } = await this.pool.query<{ event_id: string; envelope: Record<string, unknown> }>(
        `SELECT event_id::text AS event_id, envelope FROM ${this.table} WHERE event_id = ANY($1::uuid[])`,
        [ids],
      );
      for (const r of rows) out.set(r.event_id, eventContentDigest(r.envelope));
      this.warned = false;
    } catch (err) {
      // 42P01: the projector has not migrated yet — nothing is stored, so nothing can conflict.
      if ((err as { code?: string }).code !== '42P01' && !this.warned) {
        this.warned = true;
        this.logger.warn({ err }, 'eventId conflict check skipped: PostgreSQL did not answer (the projector still refuses conflicts)');
      }
    }
    return out;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }
}
