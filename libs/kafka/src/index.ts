export {
  CLOUDEVENTS_HEADER_PREFIX,
  DLQ_HEADERS,
  EVENT_HEADERS,
  cloudEventHeaders,
  resolveTopicSpec,
  timelineTopics,
  type ResolvedTopicSpec,
  type TopicSpec,
} from './topics.js';
export { createKafka, ensureTopics, kafkaHealth, waitForTopicLeaders, type KafkaLogSink } from './kafka-client.js';
export { KAFKA_ADMIN, KAFKA_LOG_SINK, KafkaModule, type KafkaModuleOptions } from './kafka.module.js';
export {
  EventPublisher,
  eventMessage,
  type EventMessageSource,
  type EventPublisherOptions,
  type PublishedEvent,
} from './event-publisher.js';
export { KafkaPublishError } from './kafka-publish.error.js';
export { DeadLetterPublisher, type DeadLetter, type DeadLetterPublisherOptions } from './dead-letter-publisher.js';
export { IdempotentProducer } from './idempotent-producer.js';
export { installUndecodableBatchGuard, undecodableBatchOf, type UndecodableBatch } from './undecodable-batch-guard.js';
export { compressionType, registerCompressionCodecs } from './codecs/compression-codecs.js';
export { asyncApiDocument, type AsyncApiDocumentOptions } from './asyncapi-document.js';
export { DEAD_LETTER_REASONS, type DeadLetterReasonCode } from './dead-letter-reasons.js';
