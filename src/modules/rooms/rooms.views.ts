import type { LobbyRequestEntity } from './entities/lobby-request.entity';
import type { RoomRole } from './entities/room-access.entity';
import type { RoomAccessLevel, RoomEntity } from './entities/room.entity';
import type { RoomConfiguration } from './dto/rooms.dto';

/** What other modules and clients see of a room. */
export interface RoomView {
  id: string;
  slug: string;
  name: string;
  accessLevel: RoomAccessLevel;
  /** Participant cap: the media layer refuses a join beyond it. */
  maxParticipants: number;
  configuration: RoomConfiguration;
  /** `${PUBLIC_URL}/r/${slug}` */
  joinUrl: string;
  createdAt: string;
}

/** A room as seen by one caller: with their role in it. */
export interface MyRoomView extends RoomView {
  role: RoomRole | null;
}

/** The little a caller who may not (yet) enter learns of a room: enough for a lobby screen. */
export interface RoomSummaryView {
  slug: string;
  name: string;
  accessLevel: RoomAccessLevel;
  joinUrl: string;
}

export function toRoomView(r: RoomEntity, publicUrl: string): RoomView {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    accessLevel: r.accessLevel,
    maxParticipants: r.maxParticipants,
    configuration: r.configuration as RoomConfiguration,
    joinUrl: `${publicUrl}/r/${r.slug}`,
    createdAt: r.createdAt.toISOString(),
  };
}

export function toRoomSummary(r: RoomView): RoomSummaryView {
  return { slug: r.slug, name: r.name, accessLevel: r.accessLevel, joinUrl: r.joinUrl };
}

export type LobbyRequestStatus = 'waiting' | 'admitted' | 'denied' | 'expired';

/** The status a requester or moderator reads: any entry past its expiry is expired. */
export function effectiveStatus(l: LobbyRequestEntity, now = Date.now()): LobbyRequestStatus {
  if (l.status === 'expired' || l.expiresAt.getTime() <= now) return 'expired';
  return l.status;
}

/** What the requester polls. */
export interface LobbyRequestStatusView {
  requestId: string;
  status: LobbyRequestStatus;
  createdAt: string;
  decidedAt: string | null;
  /** Waiting: until when it waits. Admitted: until when the admission is valid. Denied: until when it stands. */
  expiresAt: string;
}

export function toLobbyStatusView(l: LobbyRequestEntity): LobbyRequestStatusView {
  return {
    requestId: l.id,
    status: effectiveStatus(l),
    createdAt: l.createdAt.toISOString(),
    decidedAt: l.decidedAt?.toISOString() ?? null,
    expiresAt: l.expiresAt.toISOString(),
  };
}

/** What moderators see of someone waiting. */
export interface LobbyEntryView {
  requestId: string;
  displayName: string;
  kind: 'user' | 'guest';
  userId: string | null;
  createdAt: string;
  expiresAt: string;
}

export function toLobbyEntryView(l: LobbyRequestEntity): LobbyEntryView {
  return {
    requestId: l.id,
    displayName: l.displayName,
    kind: l.userId ? 'user' : 'guest',
    userId: l.userId,
    createdAt: l.createdAt.toISOString(),
    expiresAt: l.expiresAt.toISOString(),
  };
}

export interface RoomAccessView {
  id: string;
  userId: string;
  role: RoomRole;
  user: { displayName: string; email: string | null; pending: boolean } | null;
  createdAt: string;
}
