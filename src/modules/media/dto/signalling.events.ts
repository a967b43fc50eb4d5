import type {
  ConsumerLayers,
  ConsumerScore,
  ConsumerType,
  DtlsParameters,
  IceCandidate,
  IceParameters,
  MediaKind,
  RouterRtpCapabilities,
  RtpParameters,
} from 'mediasoup/types';
import type { IceServer } from '../media.config';
import type { MediaSource } from './signalling.dto';

/* Server → client events and request replies of the /media namespace (the protocol contract). */

export type KickReason = 'removed_by_moderator' | 'session_revoked' | 'room_deleted';
export type ReconnectReason = 'worker_died' | 'node_moved';

export interface ProducerInfo {
  producerId: string;
  kind: MediaKind;
  source: MediaSource;
  paused: boolean;
}

export interface PeerInfo {
  peerId: string;
  displayName: string;
  producers: ProducerInfo[];
}

export interface JoinReply {
  roomId: string;
  peerId: string;
  displayName: string;
  role: 'owner' | 'administrator' | 'member' | null;
  canModerate: boolean;
  routerRtpCapabilities: RouterRtpCapabilities;
  iceServers: IceServer[];
  peers: PeerInfo[];
}

export interface TransportReply {
  transportId: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

export interface ConsumeReply {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  type: ConsumerType;
  producerPaused: boolean;
}

export interface ConsumerStatsReply {
  currentLayers: ConsumerLayers | null;
  preferredLayers: ConsumerLayers | null;
  score: ConsumerScore;
}

export interface LobbyRequestedNotice {
  slug: string;
  requestId: string;
  displayName: string;
}

export interface LobbyResolvedNotice {
  slug: string;
  requestId: string;
  status: 'admitted' | 'denied';
}

/** Event name → payload of everything the server pushes on /media. */
export interface MediaServerEvents {
  peerJoined: (e: { peerId: string; displayName: string }) => void;
  peerLeft: (e: { peerId: string }) => void;
  newProducer: (e: { peerId: string } & ProducerInfo) => void;
  producerClosed: (e: { peerId: string; producerId: string }) => void;
  producerPaused: (e: { peerId: string; producerId: string; byModerator: boolean }) => void;
  producerResumed: (e: { peerId: string; producerId: string }) => void;
  consumerClosed: (e: { consumerId: string }) => void;
  consumerLayersChanged: (
    e:
      | { consumerId: string; spatialLayer: number; temporalLayer: number }
      | { consumerId: string; spatialLayer: null },
  ) => void;
  activeSpeaker: (e: { peerId: string | null }) => void;
  lobbyDecision: (e: { slug: string; requestId: string; status: 'admitted' | 'denied' }) => void;
  /** Addition: someone waits in the lobby (to the room's joined moderators). */
  lobbyRequested: (e: LobbyRequestedNotice) => void;
  /** Addition: a waiting entry was admitted or denied (to the room's joined moderators). */
  lobbyResolved: (e: LobbyResolvedNotice) => void;
  kicked: (e: { reason: KickReason }) => void;
  reconnectRequired: (e: { reason: ReconnectReason; nodeUrl?: string }) => void;
}
