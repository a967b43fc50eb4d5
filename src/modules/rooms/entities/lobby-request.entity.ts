import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Stored status; a waiting or decided row past `expiresAt` reads as expired. */
export type LobbyRequestStoredStatus = 'waiting' | 'admitted' | 'denied' | 'expired';

@Entity('lobby_requests')
export class LobbyRequestEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) roomId!: string;
  @Column({ type: 'uuid', nullable: true }) userId!: string | null;
  @Column({ type: 'uuid', nullable: true }) guestSessionId!: string | null;
  @Column({ type: 'text' }) displayName!: string;
  @Column({ type: 'text' }) status!: LobbyRequestStoredStatus;
  @Column({ type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) decidedAt!: Date | null;
  @Column({ type: 'uuid', nullable: true }) decidedBy!: string | null;
  @Column({ type: 'timestamptz' }) expiresAt!: Date;
}
