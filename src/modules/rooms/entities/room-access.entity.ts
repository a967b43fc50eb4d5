import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type RoomRole = 'owner' | 'administrator' | 'member';

@Entity('room_accesses')
export class RoomAccessEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) roomId!: string;
  @Column({ type: 'uuid' }) userId!: string;
  @Column({ type: 'text' }) role!: RoomRole;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
