import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Admin } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ConfigModule, type AppConfig } from '@timeline/config';
import { ApiKeyGuard, HEALTH_CHECKS, OpsController, type HealthCheck } from '@timeline/http';
import { KAFKA_ADMIN, KafkaModule, kafkaHealth } from '@timeline/kafka';
import { ObservabilityModule, type Logger } from '@timeline/observability';
import { StoreModule, databaseHealth } from '@timeline/store';

/** Read side: timeline REST API, live stream and the newsroom dashboard. */
@Module({})
export class TimelineApiModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: TimelineApiModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot('timeline-api', logger),
        StoreModule.forRoot({ applicationName: 'timeline-api' }),
        KafkaModule.forRoot({ ensureTopics: false }),
      ],
      controllers: [OpsController],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        {
          provide: HEALTH_CHECKS,
          inject: [DataSource, KAFKA_ADMIN],
          useFactory: (ds: DataSource, admin: Admin): HealthCheck[] => [
            { name: 'postgres', check: () => databaseHealth(ds) },
            { name: 'kafka', check: () => kafkaHealth(admin) },
          ],
        },
      ],
    };
  }
}
