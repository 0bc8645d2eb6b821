import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Kafka, type Admin } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { LOGGER, type Logger } from '@timeline/observability';
import { createKafka, ensureTopics, type KafkaLogSink } from './kafka-client.js';
import { timelineTopics } from './topics.js';

/** Injection token of a connected kafkajs {@link Admin}. */
export const KAFKA_ADMIN = Symbol.for('timeline.KafkaAdmin');
/** Injection token of the logger kafkajs logs through. */
export const KAFKA_LOG_SINK = Symbol.for('timeline.KafkaLogSink');

/** Options for {@link KafkaModule.forRoot}. */
export interface KafkaModuleOptions {
  /** Create the events and DLQ topics at boot when missing. @default true */
  ensureTopics?: boolean;
}

class AdminCloser implements OnApplicationShutdown {
  constructor(@Inject(KAFKA_ADMIN) private readonly admin: Admin) {}
  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}

/** Provides the kafkajs client and a connected admin; creates the topics at boot. */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(opts: KafkaModuleOptions = {}): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        {
          provide: Kafka,
          inject: [APP_CONFIG, { token: KAFKA_LOG_SINK, optional: true }, { token: LOGGER, optional: true }],
          // kafkajs's own logs (retries, rebalances, broker errors) reach the app's pino logger in every
          // app (issue 12: ingest dropped them), unless a caller provides a sink of its own.
          useFactory: (config: AppConfig, sink?: KafkaLogSink, logger?: Logger) =>
            createKafka(config.kafka, sink ?? logger?.child({ component: 'kafkajs' })),
        },
        {
          provide: KAFKA_ADMIN,
          inject: [Kafka, APP_CONFIG],
          useFactory: async (kafka: Kafka, config: AppConfig) => {
            const admin = kafka.admin();
            await admin.connect();
            if (opts.ensureTopics ?? true) {
              const t = timelineTopics(config.kafka);
              await ensureTopics(admin, [t.events, t.dlq]);
            }
            return admin;
          },
        },
        AdminCloser,
      ],
      exports: [Kafka, KAFKA_ADMIN],
    };
  }
}
