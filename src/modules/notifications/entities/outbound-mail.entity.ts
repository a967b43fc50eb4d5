import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { MailMessage } from '../notifications.types';

@Entity('outbound_mail')
export class OutboundMailEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', array: true }) recipients!: string[];
  @Column({ type: 'text' }) subject!: string;
  @Column({ type: 'jsonb' }) message!: MailMessage;
  @Column({ type: 'text', default: 'pending' }) status!: 'pending' | 'sent' | 'failed';
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ type: 'text', nullable: true }) lastError!: string | null;
  @Column({ type: 'text', nullable: true }) messageId!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) sentAt!: Date | null;
}
