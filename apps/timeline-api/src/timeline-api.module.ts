import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@timeline/config';
import {
  ApiKeyGuard,
  ConfiguredRateLimitStore,
  HEALTH_CHECKS,
  OpsController,
  RATE_LIMIT_STORE,
  RateLimitGuard,
  type HealthCheck,
} from '@timeline/http';
import { ObservabilityModule, type Logger } from '@timeline/observability';
import { StoreModule, databaseHealth, textSearchHealth } from '@timeline/store';
import { Clock } from './clock.js';
import { ExportController } from './export.controller.js';
import { onRenderFailure } from './presentation/entry-view.js';
import { PageCursorCodec } from './query/page-cursor.js';
import { SignedTokenCodec } from './query/signed-token.codec.js';
import { ActiveProjectionCache } from './read-model/active-projection.cache.js';
import { TimelineReader } from './read-model/timeline-reader.js';
import { StreamController } from './stream.controller.js';
import { LiveStreamHub } from './stream/live-stream.hub.js';
import { TimelineNotificationListener } from './stream/notification-listener.js';
import { StreamPositionCodec } from './stream/stream-position.js';
import { TimelineController } from './timeline.controller.js';
import { TimelineQueryService } from './timeline-query.service.js';
import { ReplayModule } from './replay/replay.module.js';

/** Options for {@link TimelineApiModule.forRoot}. */
export interface TimelineApiModuleOptions {
  /** Source of "now" (tests pass a fixed clock). @default the system clock */
  clock?: Clock;
}

/** Read side: timeline REST API, live stream and the newsroom dashboard. */
@Module({})
export class TimelineApiModule {
  static forRoot(config: AppConfig, logger: Logger, opts: TimelineApiModuleOptions = {}): DynamicModule {
    onRenderFailure((entryId, problem) => logger.warn({ entryId, problem }, 'an entry was rendered with a marker'));
    return {
      module: TimelineApiModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot('timeline-api', logger),
        StoreModule.forRoot({ applicationName: 'timeline-api' }),
        ReplayModule,
      ],
      controllers: [OpsController, TimelineController, ExportController, StreamController],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // New /v1/stream connections per client IP (RATE_LIMIT_STREAMS_PER_MINUTE); after the key guard.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        // Token buckets in PostgreSQL, shared by every replica (RATE_LIMIT_STORE; memory without a database).
        { provide: RATE_LIMIT_STORE, useClass: ConfiguredRateLimitStore },
        { provide: Clock, useValue: opts.clock ?? new Clock() },
        {
          provide: SignedTokenCodec,
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) =>
            SignedTokenCodec.fromConfig(c, () =>
              logger.warn(
                'API_CURSOR_SECRET is not set: cursors and resume tokens are signed with a random key of this process and stop working when it restarts; set it (shared by every API instance)',
              ),
            ),
        },
        { provide: PageCursorCodec, inject: [SignedTokenCodec], useFactory: (t: SignedTokenCodec) => new PageCursorCodec(t) },
        { provide: StreamPositionCodec, inject: [SignedTokenCodec], useFactory: (t: SignedTokenCodec) => new StreamPositionCodec(t) },
        ActiveProjectionCache,
        TimelineReader,
        TimelineQueryService,
        TimelineNotificationListener,
        LiveStreamHub,
        {
          provide: HEALTH_CHECKS,
          // The read side needs PostgreSQL only (issue 12): a broker outage is the write path's problem.
          inject: [DataSource, APP_CONFIG],
          useFactory: (ds: DataSource, c: AppConfig): HealthCheck[] => [
            { name: 'postgres', check: () => databaseHealth(ds) },
            { name: 'search', check: () => textSearchHealth(ds, c.database.schema) },
          ],
        },
      ],
    };
  }
}
