import type { RoomAccessLevel } from './entities/room.entity';

/** Who waits in a lobby: an agent by user id, or a guest by guest session id. */
export type LobbyRequesterRef =
  { kind: 'user'; userId: string } | { kind: 'guest'; guestSessionId: string };

/** A new waiting entry: moderators of the room should be told. */
export interface RoomLobbyRequestedEvent {
  roomId: string;
  slug: string;
  requestId: string;
  requester: LobbyRequesterRef;
  displayName: string;
  createdAt: string;
  expiresAt: string;
}

/** A moderator admitted or denied a waiting entry: the requester should be told. */
export interface RoomLobbyDecidedEvent {
  roomId: string;
  slug: string;
  requestId: string;
  requester: LobbyRequesterRef;
  status: 'admitted' | 'denied';
  decidedBy: string;
  decidedAt: string;
  /** Until when an admission lets the requester in (or a denial stands). */
  expiresAt: string;
}

export interface RoomUpdatedEvent {
  roomId: string;
  slug: string;
  accessLevel: RoomAccessLevel;
  maxParticipants: number;
}

export interface RoomDeletedEvent {
  roomId: string;
  slug: string;
}

/** A user's access to a room was added, changed or removed (role null): live sessions may need re-checking. */
export interface RoomAccessChangedEvent {
  roomId: string;
  slug: string;
  userId: string;
  role: 'owner' | 'administrator' | 'member' | null;
}

/** Event name → payload, for `EventEmitter2.emit` and `@OnEvent` handlers. */
export interface RoomsEvents {
  'room.lobby.requested': RoomLobbyRequestedEvent;
  'room.lobby.decided': RoomLobbyDecidedEvent;
  'room.updated': RoomUpdatedEvent;
  'room.deleted': RoomDeletedEvent;
  'room.access.changed': RoomAccessChangedEvent;
}

export const RoomsEvent = {
  lobbyRequested: 'room.lobby.requested',
  lobbyDecided: 'room.lobby.decided',
  updated: 'room.updated',
  deleted: 'room.deleted',
  accessChanged: 'room.access.changed',
} as const satisfies Record<string, keyof RoomsEvents>;
