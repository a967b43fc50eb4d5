import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('calendar_feed_tokens')
export class CalendarFeedTokenEntity {
  @PrimaryColumn({ type: 'uuid' }) userId!: string;
  @Column({ type: 'bytea' }) tokenHash!: Buffer;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
