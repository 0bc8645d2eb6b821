import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Next Kafka offset to apply for one (projection, topic, partition) — the consumer's true position. */
@Entity({ name: 'projector_offsets' })
export class ProjectorOffset {
  @PrimaryColumn({ type: 'text' }) projection!: string;
  @PrimaryColumn({ type: 'text' }) topic!: string;
  @PrimaryColumn({ type: 'integer' }) partition!: number;
  @Column({ name: 'next_offset', type: 'bigint' }) nextOffset!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
