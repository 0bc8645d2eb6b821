import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@timeline/config';
import type { Logger } from '@timeline/observability';
import type { RebuildEnvironment } from '@timeline/store';
import { KafkaRebuildPhase } from './kafka-rebuild-phase.js';

/**
 * The environment of a {@link RebuildEnvironment rebuild} as the deployment's configuration describes
 * it — the same for `cli rebuild` and the projector's `POST /v1/admin/rebuild`: its Kafka phase reads
 * with the live projector's fetch size and recordedAt policy.
 */
export function rebuildEnvironment(
  config: AppConfig,
  ds: DataSource,
  kafka: Kafka,
  opts: { readonly chunkSize?: number; readonly logger?: Logger } = {},
): RebuildEnvironment {
  return {
    ds,
    schema: config.database.schema,
    topic: config.kafka.eventsTopic,
    kafka: new KafkaRebuildPhase({
      kafka,
      ds,
      topic: config.kafka.eventsTopic,
      projectorGroupId: config.projector.groupId,
      maxBytesPerPartition: config.projector.maxBytesPerPartition,
      recordedAtPolicy: config.projector.recordedAtPolicy,
      ...(opts.logger ? { logger: opts.logger } : {}),
    }),
    ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}),
  };
}
