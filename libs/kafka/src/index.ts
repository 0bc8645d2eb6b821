export { DLQ_HEADERS, EVENT_HEADERS, timelineTopics, type TopicSpec } from './topics.js';
export { createKafka, ensureTopics, kafkaHealth, type KafkaLogSink } from './kafka-client.js';
export { KAFKA_ADMIN, KAFKA_LOG_SINK, KafkaModule, type KafkaModuleOptions } from './kafka.module.js';
