import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A version of the read model: the active one, one being rebuilt, or a retired one. */
@Entity({ name: 'projections' })
export class Projection {
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) status!: 'building' | 'active' | 'retired';
  @Column({ type: 'text' }) source!: 'kafka' | 'event_log';
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true }) activatedAt!: Date | null;
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true }) retiredAt!: Date | null;
}

/** The single pointer row naming the projection the API serves. */
@Entity({ name: 'active_projection' })
export class ActiveProjection {
  @PrimaryColumn({ type: 'boolean' }) singleton!: boolean;
  @Column({ type: 'text' }) name!: string;
  @Column({ name: 'switched_at', type: 'timestamptz' }) switchedAt!: Date;
}
