import { Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Kafka, type Admin } from 'kafkajs';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@timeline/config';
import { systemClock, type Clock } from '@timeline/events';
import {
  ApiKeyGuard,
  ConfiguredRateLimitStore,
  HEALTH_CHECKS,
  OpsController,
  RATE_LIMIT_STORE,
  RateLimitGuard,
  type HealthCheck,
} from '@timeline/http';
import { EventPublisher, KAFKA_ADMIN, KafkaModule, kafkaHealth, timelineTopics } from '@timeline/kafka';
import { ObservabilityModule, type Logger } from '@timeline/observability';
import { AsyncApiController } from './asyncapi.controller.js';
import { EventIngestor } from './event-ingestor.js';
import { EventsController } from './events.controller.js';
import { IngestMetrics } from './ingest-metrics.js';
import { CLOCK } from './ingest.tokens.js';
import { SchemasController } from './schemas.controller.js';
import { StoredEventLookup } from './stored-event-lookup.js';

/** Disconnects the producer on shutdown (after in-flight requests finished: Nest closes the server first). */
@Injectable()
class PublisherCloser implements OnApplicationShutdown {
  constructor(private readonly publisher: EventPublisher) {}
  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}

/** Options for {@link IngestModule.forRoot}. */
export interface IngestModuleOptions {
  /** Stamps `recordedAt`. @default systemClock */
  clock?: Clock;
}

/** Write side: validates events and publishes them to Kafka. */
@Module({})
export class IngestModule {
  static forRoot(config: AppConfig, logger: Logger, opts: IngestModuleOptions = {}): DynamicModule {
    return {
      module: IngestModule,
      imports: [ConfigModule.forRoot(config), ObservabilityModule.forRoot('ingest', logger), KafkaModule.forRoot()],
      controllers: [EventsController, SchemasController, AsyncApiController, OpsController],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // After the key guard: writes are counted per API key (RATE_LIMIT_WRITES_PER_MINUTE).
        { provide: APP_GUARD, useClass: RateLimitGuard },
        // Token buckets in PostgreSQL, shared by every replica (RATE_LIMIT_STORE; memory without a database).
        { provide: RATE_LIMIT_STORE, useClass: ConfiguredRateLimitStore },
        { provide: CLOCK, useValue: opts.clock ?? systemClock },
        {
          provide: EventPublisher,
          // KAFKA_ADMIN first: its factory creates the topics, so the producer never meets a missing one.
          inject: [Kafka, APP_CONFIG, KAFKA_ADMIN],
          useFactory: async (kafka: Kafka, cfg: AppConfig) => {
            const publisher = new EventPublisher(kafka, {
              topic: timelineTopics(cfg.kafka).events.topic,
              compression: cfg.kafka.compression,
            });
            await publisher.connect();
            return publisher;
          },
        },
        PublisherCloser,
        IngestMetrics,
        StoredEventLookup,
        EventIngestor,
        {
          provide: HEALTH_CHECKS,
          inject: [KAFKA_ADMIN],
          useFactory: (admin: Admin): HealthCheck[] => [{ name: 'kafka', check: () => kafkaHealth(admin) }],
        },
      ],
    };
  }
}
