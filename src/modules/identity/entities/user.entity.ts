import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', nullable: true }) idpId!: string | null;
  @Column({ type: 'text', nullable: true }) sub!: string | null;
  @Column({ type: 'citext', nullable: true }) email!: string | null;
  @Column({ type: 'text', nullable: true }) givenName!: string | null;
  @Column({ type: 'text', nullable: true }) usualName!: string | null;
  @Column({ type: 'text', nullable: true }) uid!: string | null;
  @Column({ type: 'text', nullable: true }) siret!: string | null;
  @Column({ type: 'text', nullable: true }) organizationLabel!: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) idpRoles!: unknown;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) platformRoles!: string[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) lastLoginAt!: Date | null;
}
