import { PRODUCER_HEADER, cloudEventAttributes, type RawEnvelope } from '@timeline/events';
import type { KafkaConfig } from '@timeline/config';

/** The one place topic names and their settings are defined (CONVENTIONS.md rule 4). */
export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  /** `auto`: decided by {@link resolveTopicSpec} from the cluster's broker count when the topic is created. */
  readonly replicationFactor: number | 'auto';
  /** `auto`: 2 when the replication factor is ≥ 3, else 1. */
  readonly minInsyncReplicas?: number | 'auto';
  readonly configEntries: { name: string; value: string }[];
}

/** A {@link TopicSpec} with the replication settled, as `admin.createTopics` takes it. */
export interface ResolvedTopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configEntries: { name: string; value: string }[];
}

/**
 * Settles a topic's replication for a cluster of `brokers` brokers (issue 13): `auto` = 3 copies once
 * there are ≥ 3 brokers (one per broker below that), `min.insync.replicas` 2 with ≥ 3 copies (else 1),
 * and unclean leader election off, so an acks=all record survives the loss of any one broker and a
 * replica that missed records never becomes leader. Explicit config entries of the spec win.
 */
export function resolveTopicSpec(spec: TopicSpec, brokers: number): ResolvedTopicSpec {
  const replicationFactor = spec.replicationFactor === 'auto' ? Math.max(1, Math.min(3, brokers)) : spec.replicationFactor;
  const minIsr = spec.minInsyncReplicas ?? 'auto';
  const minInsyncReplicas = minIsr === 'auto' ? (replicationFactor >= 3 ? 2 : 1) : minIsr;
  if (minInsyncReplicas > replicationFactor) {
    throw new Error(
      `topic ${spec.topic}: min.insync.replicas ${minInsyncReplicas} exceeds the replication factor ${replicationFactor} (every acks=all send would fail)`,
    );
  }
  const named = new Set(spec.configEntries.map((e) => e.name));
  return {
    topic: spec.topic,
    numPartitions: spec.numPartitions,
    replicationFactor,
    configEntries: [
      ...spec.configEntries,
      ...(named.has('min.insync.replicas') ? [] : [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }]),
      ...(named.has('unclean.leader.election.enable') ? [] : [{ name: 'unclean.leader.election.enable', value: 'false' }]),
    ],
  };
}

/** Topics the system needs, derived from configuration. */
export function timelineTopics(cfg: KafkaConfig): { events: TopicSpec; dlq: TopicSpec } {
  return {
    // The events topic is the system of record: keep it forever unless configured otherwise.
    events: {
      topic: cfg.eventsTopic,
      numPartitions: cfg.partitions,
      replicationFactor: cfg.replicationFactor,
      minInsyncReplicas: cfg.minInsyncReplicas,
      configEntries: [
        { name: 'retention.ms', value: String(cfg.retentionMs) },
        { name: 'cleanup.policy', value: 'delete' },
        { name: 'max.message.bytes', value: String(2 * 1024 * 1024) },
      ],
    },
    // Dead letters are for humans to inspect; 30 days is plenty and bounded.
    dlq: {
      topic: cfg.dlqTopic,
      numPartitions: 1,
      replicationFactor: cfg.replicationFactor,
      minInsyncReplicas: cfg.minInsyncReplicas,
      configEntries: [
        { name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) },
        { name: 'max.message.bytes', value: String(4 * 1024 * 1024) },
      ],
    },
  };
}

/** Kafka header names carried by every event message, so consumers can route without parsing. */
export const EVENT_HEADERS = {
  type: 'type',
  schemaVersion: 'schemaVersion',
  eventId: 'eventId',
  contentType: 'content-type',
  /** Which tool published the record (`ingest`, `cli-seed`): what PROJECTOR_TRUSTED_PRODUCERS matches. */
  producer: PRODUCER_HEADER,
} as const;

/** Prefix of the CloudEvents Kafka protocol binding's binary-mode headers (`ce_id`, `ce_type`, …). */
export const CLOUDEVENTS_HEADER_PREFIX = 'ce_';

/**
 * The CloudEvents binary-mode headers of an event record (issue 18): `ce_specversion` 1.0, `ce_id` =
 * eventId, `ce_type` = type, `ce_source` = `urn:timeline:story:<storyId>`, `ce_time` = recordedAt,
 * `ce_dataschema` = the version's schema `$id`; with `content-type: application/json` the record is
 * a CloudEvent whose data is the envelope.
 */
export function cloudEventHeaders(
  e: Pick<RawEnvelope, 'eventId' | 'type' | 'schemaVersion' | 'storyId' | 'recordedAt'>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(cloudEventAttributes(e)).map(([name, value]) => [`${CLOUDEVENTS_HEADER_PREFIX}${name}`, value]));
}

/** Kafka header names on dead-letter records. */
export const DLQ_HEADERS = {
  reason: 'dlq.reason',
  reasonCode: 'dlq.reasonCode',
  originalTopic: 'dlq.originalTopic',
  originalPartition: 'dlq.originalPartition',
  originalOffset: 'dlq.originalOffset',
  failedAt: 'dlq.failedAt',
  consumerGroup: 'dlq.consumerGroup',
} as const;
