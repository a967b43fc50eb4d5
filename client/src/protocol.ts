// The /media signalling contract, as the client sees it (see the gateway).

export type Source = 'mic' | 'camera' | 'screen';
export type Kind = 'audio' | 'video';
export type RoomRole = 'owner' | 'administrator' | 'member';

export interface ProducerInfo {
  producerId: string;
  kind: Kind;
  source: Source;
  paused: boolean;
}

export interface PeerInfo {
  peerId: string;
  displayName: string;
  producers: ProducerInfo[];
}

export interface JoinResult {
  roomId: string;
  peerId: string;
  displayName: string;
  role: RoomRole | null;
  canModerate: boolean;
  routerRtpCapabilities: any;
  iceServers: RTCIceServer[];
  peers: PeerInfo[];
}

export interface TransportInfo {
  transportId: string;
  iceParameters: any;
  iceCandidates: any[];
  dtlsParameters: any;
}

export interface ConsumeResult {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: Kind;
  rtpParameters: any;
  type: string;
  producerPaused: boolean;
}

export interface Layers {
  spatialLayer: number;
  temporalLayer?: number;
}

export interface ConsumerStats {
  currentLayers: Layers | null;
  preferredLayers: Layers | null;
  score: unknown;
}

/** Request name → [payload, answer]. */
export interface Requests {
  join: [{ slug: string }, JoinResult];
  createTransport: [{ direction: 'send' | 'recv' }, TransportInfo];
  connectTransport: [{ transportId: string; dtlsParameters: any }, Record<string, never>];
  produce: [
    { transportId: string; kind: Kind; rtpParameters: any; source: Source; paused?: boolean },
    { producerId: string },
  ];
  consume: [{ transportId: string; producerId: string; rtpCapabilities: any }, ConsumeResult];
  resumeConsumer: [{ consumerId: string }, Record<string, never>];
  pauseConsumer: [{ consumerId: string }, Record<string, never>];
  pauseProducer: [{ producerId: string }, Record<string, never>];
  resumeProducer: [{ producerId: string }, Record<string, never>];
  closeProducer: [{ producerId: string }, Record<string, never>];
  setPreferredLayers: [
    { consumerId: string; spatialLayer: number; temporalLayer?: number },
    Record<string, never>,
  ];
  getConsumerStats: [{ consumerId: string }, ConsumerStats];
  moderatorMute: [{ peerId: string; producerId?: string }, Record<string, never>];
  moderatorRemove: [{ peerId: string }, Record<string, never>];
  leave: [Record<string, never>, Record<string, never>];
}

/** Server → client events. */
export interface ServerEvents {
  peerJoined: { peerId: string; displayName: string };
  peerLeft: { peerId: string };
  newProducer: { peerId: string; producerId: string; kind: Kind; source: Source; paused: boolean };
  producerClosed: { peerId: string; producerId: string };
  producerPaused: { peerId: string; producerId: string; byModerator: boolean };
  producerResumed: { peerId: string; producerId: string };
  consumerClosed: { consumerId: string };
  consumerLayersChanged: {
    consumerId: string;
    spatialLayer: number | null;
    temporalLayer?: number;
  };
  activeSpeaker: { peerId: string | null };
  lobbyDecision: { slug: string; requestId: string; status: 'admitted' | 'denied' };
  /** Addition to the contract: someone waits in the lobby (moderators only). */
  lobbyRequested: { slug: string; requestId: string; displayName: string };
  /** Addition to the contract: a waiting entry was decided (moderators only). */
  lobbyResolved: { slug: string; requestId: string; status: 'admitted' | 'denied' };
  kicked: { reason: 'removed_by_moderator' | 'session_revoked' | 'room_deleted' };
  reconnectRequired: { reason: 'worker_died' | 'node_moved'; nodeUrl?: string };
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ProtocolError };

export interface ProtocolError {
  code: string;
  message: string;
  details?: any;
}

/** A refused request, with the server's stable code. */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: any,
  ) {
    super(message);
  }
}
