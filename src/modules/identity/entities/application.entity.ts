import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('applications')
export class ApplicationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) clientId!: string;
  @Column({ type: 'bytea' }) secretHash!: Buffer;
  @Column({ type: 'text', array: true }) scopes!: string[];
  @Column({ type: 'text', array: true, default: () => "'{}'" }) allowedDomains!: string[];
  @Column({ type: 'uuid', nullable: true }) createdBy!: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
}
