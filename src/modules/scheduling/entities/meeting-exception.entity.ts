import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('meeting_exceptions')
export class MeetingExceptionEntity {
  @PrimaryColumn({ type: 'uuid' }) meetingId!: string;
  @PrimaryColumn({ type: 'timestamptz' }) recurrenceId!: Date;
  @Column({ type: 'boolean', default: false }) cancelled!: boolean;
  @Column({ type: 'timestamptz', nullable: true }) startsAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) endsAt!: Date | null;
  @Column({ type: 'text', nullable: true }) title!: string | null;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
