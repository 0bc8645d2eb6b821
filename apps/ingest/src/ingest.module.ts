import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Admin } from 'kafkajs';
import { ConfigModule, type AppConfig } from '@timeline/config';
import { ApiKeyGuard, HEALTH_CHECKS, OpsController, type HealthCheck } from '@timeline/http';
import { KAFKA_ADMIN, KafkaModule, kafkaHealth } from '@timeline/kafka';
import { ObservabilityModule, type Logger } from '@timeline/observability';

/** Write side: validates events and publishes them to Kafka. */
@Module({})
export class IngestModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: IngestModule,
      imports: [ConfigModule.forRoot(config), ObservabilityModule.forRoot('ingest', logger), KafkaModule.forRoot()],
      controllers: [OpsController],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        {
          provide: HEALTH_CHECKS,
          inject: [KAFKA_ADMIN],
          useFactory: (admin: Admin): HealthCheck[] => [{ name: 'kafka', check: () => kafkaHealth(admin) }],
        },
      ],
    };
  }
}
