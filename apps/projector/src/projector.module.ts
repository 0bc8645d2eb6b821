import { Module, type DynamicModule } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ConfigModule, type AppConfig } from '@timeline/config';
import { HEALTH_CHECKS, OpsController, type HealthCheck } from '@timeline/http';
import { KAFKA_ADMIN, KafkaModule, kafkaHealth } from '@timeline/kafka';
import { ObservabilityModule, type Logger } from '@timeline/observability';
import { StoreModule, databaseHealth } from '@timeline/store';

/** Kafka → PostgreSQL read model. Serves /health and /metrics only. */
@Module({})
export class ProjectorModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot('projector', logger),
        StoreModule.forRoot({ migrate: true, applicationName: 'projector' }),
        KafkaModule.forRoot(),
      ],
      controllers: [OpsController],
      providers: [
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
