import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('webhook_deliveries')
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) endpointId!: string;
  @Column({ type: 'text' }) event!: string;
  @Column({ type: 'jsonb' }) payload!: unknown;
  @Column({ type: 'text', default: 'pending' }) status!: 'pending' | 'delivered' | 'failed';
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ type: 'integer', nullable: true }) lastStatusCode!: number | null;
  @Column({ type: 'text', nullable: true }) lastError!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) nextAttemptAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
