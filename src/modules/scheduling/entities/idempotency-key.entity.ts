import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('idempotency_keys')
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'uuid' }) applicationId!: string;
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'text' }) requestHash!: string;
  @Column({ type: 'integer', nullable: true }) responseStatus!: number | null;
  @Column({ type: 'jsonb', nullable: true }) responseBody!: unknown;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
