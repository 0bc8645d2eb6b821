import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One archived event, exactly once per eventId, as it was received. */
@Entity({ name: 'event_log' })
export class EventLogEntry {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @Column({ name: 'story_id', type: 'text' }) storyId!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ name: 'schema_version', type: 'integer' }) schemaVersion!: number;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  @Column({ type: 'jsonb' }) envelope!: Record<string, unknown>;
  @Column({ name: 'source_topic', type: 'text' }) sourceTopic!: string;
  @Column({ name: 'source_partition', type: 'integer' }) sourcePartition!: number;
  @Column({ name: 'source_offset', type: 'bigint' }) sourceOffset!: string;
  @Column({ name: 'appended_at', type: 'timestamptz' }) appendedAt!: Date;
}
