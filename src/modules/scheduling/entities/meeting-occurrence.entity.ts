import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Expanded occurrences within the horizon: the exclusion constraint lives on this table. */
@Entity('meeting_occurrences')
export class MeetingOccurrenceEntity {
  @PrimaryColumn({ type: 'uuid' }) meetingId!: string;
  @PrimaryColumn({ type: 'timestamptz' }) recurrenceId!: Date;
  @Column({ type: 'uuid' }) organizerId!: string;
  @Column({ type: 'tstzrange' }) during!: string;
  @Column({ type: 'boolean', default: false }) cancelled!: boolean;
}
