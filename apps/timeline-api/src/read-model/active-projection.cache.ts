import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { CodedError } from '@timeline/http';
import { ident } from '@timeline/store';

/** How long a read of `active_projection` is reused before asking Postgres again. */
export const ACTIVE_PROJECTION_TTL_MS = 1000;

/**
 * Which projection version the API serves. A rebuild switches `active_projection` atomically; the
 * API follows within {@link ACTIVE_PROJECTION_TTL_MS}, or at once when a NOTIFY arrives (the
 * listener calls {@link invalidate}). The old version stays intact until it is retired, so a
 * request still reading it for that second gets a complete, consistent answer.
 */
@Injectable()
export class ActiveProjectionCache {
  private cached?: { name: string; at: number };
  private inflight?: Promise<string>;

  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async current(): Promise<string> {
    if (this.cached && performance.now() - this.cached.at < ACTIVE_PROJECTION_TTL_MS) return this.cached.name;
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async load(): Promise<string> {
    const rows = (await this.ds.query(`SELECT name FROM ${ident(this.config.database.schema)}.active_projection`)) as { name: string }[];
    const name = rows[0]?.name;
    if (!name) {
      throw new CodedError(
        'UNAVAILABLE.NO_PROJECTION',
        'No projection is active yet; the projector has not initialised the read model.',
        [],
        {
          retryAfterSeconds: 5,
        },
      );
    }
    this.cached = { name, at: performance.now() };
    return name;
  }
}
