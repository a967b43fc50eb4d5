import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type RoomAccessLevel = 'public' | 'trusted' | 'restricted';

@Entity('rooms')
export class RoomEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) slug!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) accessLevel!: RoomAccessLevel;
  @Column({ type: 'integer' }) maxParticipants!: number;
  @Column({ type: 'jsonb' }) configuration!: Record<string, unknown>;
  @Column({ type: 'uuid', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
