import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { ConfigModule, type AppConfig } from '@timeline/config';
import { eventCatalogue, systemClock, type Clock } from '@timeline/events';
import {
  ApiKeyGuard,
  ConfiguredRateLimitStore,
  HEALTH_CHECKS,
  OpsController,
  RATE_LIMIT_STORE,
  RateLimitGuard,
  type HealthCheck,
} from '@timeline/http';
import { DeadLetterPublisher, KAFKA_ADMIN, KafkaModule, createKafka, kafkaHealth, timelineTopics } from '@timeline/kafka';
import { LOGGER, METRICS_REGISTRY, ObservabilityModule, type Logger } from '@timeline/observability';
import { PartitionBatchApplier, PartitionWatermarks, ProjectionRunner } from '@timeline/projection';
import { OffsetStore, StoreModule, TimelineProjectionWriter, databaseHealth } from '@timeline/store';
import { RebuildAdminModule } from './admin/rebuild-admin.module.js';
import { ProjectionLag } from './projection-lag.js';
import { ProjectorMetrics } from './projector-metrics.js';

/** Injection token of the projector's own kafkajs client (its logs go to the service logger). */
const PROJECTOR_KAFKA = Symbol.for('timeline.ProjectorKafka');

/** Starts the consumer once everything is wired; stops it before the database pool closes. */
@Injectable()
class ProjectorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(ProjectionRunner) private readonly projector: ProjectionRunner,
    @Inject(DeadLetterPublisher) private readonly deadLetters: DeadLetterPublisher,
  ) {}
  // Not awaited: joining the group can take up to a session timeout (the group waits for the members
  // of a previous instance), and /health must answer "joining" meanwhile instead of refusing
  // connections (issue 11). A failure to start is reported through ProjectionRunner.onFatal.
  onApplicationBootstrap(): void {
    void this.projector.start().catch(() => undefined);
  }
  // beforeApplicationShutdown runs before every onApplicationShutdown hook, i.e. before the
  // DataSource and the admin client close: the in-flight batch still has its connection.
  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
    await this.deadLetters.disconnect();
  }
}

/** Options for {@link ProjectorModule.forRoot}. */
export interface ProjectorModuleOptions {
  /** Stamps `dlq.failedAt`. @default systemClock */
  clock?: Clock;
}

/** Kafka → PostgreSQL read model: the consumer, /health (with per-partition lag) and /metrics. */
@Module({})
export class ProjectorModule {
  static forRoot(config: AppConfig, logger: Logger, opts: ProjectorModuleOptions = {}): DynamicModule {
    const topics = timelineTopics(config.kafka);
    return {
      module: ProjectorModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot('projector', logger),
        // The client id in application_name lets an operator (or a fault test) find this process's sessions.
        StoreModule.forRoot({
          migrate: true,
          applicationName: `projector ${config.kafka.clientId}`.slice(0, 63),
          // A frozen instance must not hold its partitions' fence rows past its group membership (issue 11).
          sessionTimeouts: { idleInTransactionMs: config.projector.idleInTransactionTimeoutMs, lockMs: config.projector.lockTimeoutMs },
        }),
        KafkaModule.forRoot(),
        // The projector app is the only writer (issue 12): admin rebuilds run here, not in the read API.
        RebuildAdminModule,
      ],
      controllers: [OpsController],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // After the key guard: admin writes are counted per API key (RATE_LIMIT_WRITES_PER_MINUTE).
        { provide: APP_GUARD, useClass: RateLimitGuard },
        // Token buckets in PostgreSQL, shared by every replica (RATE_LIMIT_STORE; memory without a database).
        { provide: RATE_LIMIT_STORE, useClass: ConfiguredRateLimitStore },
        { provide: PROJECTOR_KAFKA, useFactory: () => createKafka(config.kafka, logger.child({ component: 'kafkajs' })) },
        { provide: OffsetStore, useValue: new OffsetStore() },
        { provide: TimelineProjectionWriter, useValue: new TimelineProjectionWriter(eventCatalogue) },
        { provide: PartitionWatermarks, inject: [KAFKA_ADMIN], useFactory: (admin: Admin) => new PartitionWatermarks(admin) },
        {
          provide: ProjectionLag,
          inject: [DataSource, OffsetStore, PartitionWatermarks],
          useFactory: (ds: DataSource, offsets: OffsetStore, marks: PartitionWatermarks) =>
            new ProjectionLag(ds, offsets, marks, topics.events.topic),
        },
        {
          provide: ProjectorMetrics,
          inject: [METRICS_REGISTRY, ProjectionLag],
          useFactory: (registry: Registry, lag: ProjectionLag) => new ProjectorMetrics(registry, lag),
        },
        {
          provide: DeadLetterPublisher,
          // KAFKA_ADMIN first: its factory creates the topics, so the producer never meets a missing one.
          inject: [PROJECTOR_KAFKA, KAFKA_ADMIN],
          useFactory: async (kafka: Kafka) => {
            const clock = opts.clock ?? systemClock;
            const publisher = new DeadLetterPublisher(kafka, {
              topic: topics.dlq.topic,
              consumerGroup: config.projector.groupId,
              now: () => clock.now(),
            });
            await publisher.connect();
            return publisher;
          },
        },
        {
          provide: PartitionBatchApplier,
          inject: [DataSource, TimelineProjectionWriter, OffsetStore, PartitionWatermarks, DeadLetterPublisher, ProjectorMetrics, LOGGER],
          useFactory: (
            ds: DataSource,
            writer: TimelineProjectionWriter,
            offsets: OffsetStore,
            watermarks: PartitionWatermarks,
            dlq: DeadLetterPublisher,
            metrics: ProjectorMetrics,
            log: Logger,
          ) =>
            new PartitionBatchApplier({
              ds,
              catalogue: eventCatalogue,
              writer,
              offsets,
              watermarks,
              logger: log,
              target: { kind: 'active' },
              poison: dlq,
              recordedAtPolicy: config.projector.recordedAtPolicy,
              onDeadLetter: (l) => metrics.deadLettered(l.reasonCode),
            }),
        },
        {
          // The live projection: the shared runner without a stop point, retrying outages forever.
          provide: ProjectionRunner,
          inject: [PROJECTOR_KAFKA, PartitionBatchApplier, PartitionWatermarks, ProjectorMetrics, LOGGER],
          useFactory: (kafka: Kafka, applier: PartitionBatchApplier, marks: PartitionWatermarks, metrics: ProjectorMetrics, log: Logger) =>
            new ProjectionRunner(kafka, applier, marks, log, {
              topic: topics.events.topic,
              consumer: {
                groupId: config.projector.groupId,
                maxBytesPerPartition: config.projector.maxBytesPerPartition,
                sessionTimeoutMs: config.projector.sessionTimeoutMs,
                // One transaction per partition batch; a few partitions at a time, leaving pool connections for health checks.
                partitionsConsumedConcurrently: Math.max(1, Math.min(4, config.database.poolSize - 2)),
              },
              stopAt: 'never',
              onFailure: 'retry',
              metrics,
              // A partition parked at an undecodable batch is 1 on timeline_projector_parked_partitions (issue 11).
              onParking: (event, p) =>
                event === 'parked'
                  ? metrics.parkedPartitions.set({ partition: String(p.partition), cause: p.cause }, 1)
                  : metrics.parkedPartitions.remove({ partition: String(p.partition), cause: p.cause }),
            }),
        },
        ProjectorLifecycle,
        {
          provide: HEALTH_CHECKS,
          inject: [DataSource, KAFKA_ADMIN, ProjectionRunner, ProjectionLag],
          useFactory: (ds: DataSource, admin: Admin, projector: ProjectionRunner, lag: ProjectionLag): HealthCheck[] => [
            { name: 'postgres', check: () => databaseHealth(ds) },
            { name: 'kafka', check: () => kafkaHealth(admin) },
            {
              name: 'projector',
              check: async () => {
                const consumer = {
                  state: projector.state,
                  assignedPartitions: projector.assigned,
                  ...(projector.state === 'joining'
                    ? { detail: `joining consumer group "${config.projector.groupId}"; not consuming yet` }
                    : {}),
                };
                // A parked partition (issue 11) leaves the projector working but needing an operator.
                const parked = projector.parking.list();
                try {
                  const m = await lag.measure();
                  return {
                    status: projector.state !== 'running' ? 'down' : parked.length ? 'degraded' : 'up',
                    ...consumer,
                    ...(parked.length ? { parked } : {}),
                    projection: m.projection,
                    lag: m.total,
                    partitions: m.partitions,
                  };
                } catch (err) {
                  return { status: 'down', ...consumer, error: `cannot measure lag: ${err instanceof Error ? err.message : String(err)}` };
                }
              },
            },
          ],
        },
      ],
    };
  }
}
