import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type MeetingStatus = 'confirmed' | 'cancelled';

@Entity('meetings')
export class MeetingEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) uid!: string;
  @Column({ type: 'uuid' }) organizerId!: string;
  @Column({ type: 'uuid', nullable: true }) roomId!: string | null;
  @Column({ type: 'text', nullable: true }) joinUrl!: string | null;
  @Column({ type: 'uuid', nullable: true }) applicationId!: string | null;
  @Column({ type: 'text' }) title!: string;
  @Column({ type: 'text', default: '' }) description!: string;
  @Column({ type: 'timestamptz' }) startsAt!: Date;
  @Column({ type: 'timestamptz' }) endsAt!: Date;
  @Column({ type: 'text' }) timeZone!: string;
  @Column({ type: 'text', nullable: true }) rrule!: string | null;
  @Column({ type: 'timestamptz', array: true, default: () => "'{}'" }) exdates!: Date[];
  /** tstzrange literal, e.g. `["2026-03-16 09:00:00+00",)`. */
  @Column({ type: 'tstzrange' }) span!: string;
  @Column({ type: 'text', default: 'confirmed' }) status!: MeetingStatus;
  @Column({ type: 'integer', default: 0 }) sequence!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) cancelledAt!: Date | null;
}
