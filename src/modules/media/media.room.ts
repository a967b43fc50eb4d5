import { Logger } from '@nestjs/common';
import type {
  ActiveSpeakerObserver,
  AppData,
  Producer,
  Router,
  RouterRtpCapabilities,
  RtpCapabilities,
  RouterRtpCodecCapability,
  TransportListenInfo,
  WebRtcServer,
  Worker,
} from 'mediasoup/types';
import { EventEmitter } from 'node:events';
import type { MediaWorkerSlot } from './media-worker.pool';
import { MediaError } from './media.errors';
import { MediaPeer, type MediaPeerContext } from './media.peer';

/**
 * The codecs every room's router offers. Opus for audio; VP8 first (every
 * browser, simulcast), VP9 profiles 0 and 2, H264 constrained baseline and
 * main (Safari, hardware encoders).
 */
export const MEDIA_CODECS: RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 1000 },
  },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 2 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
    },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '4d0032',
      'level-asymmetry-allowed': 1,
    },
  },
];

/** Why a room closed: signalling words its message to peers from it. */
export type MediaRoomCloseReason = 'empty' | 'worker-died' | 'claim-lost' | 'shutdown' | 'closed';

export interface ActiveSpeaker {
  peerId: string;
  producerId: string;
}

export type MediaRoomEvents = {
  closed: [MediaRoomCloseReason];
  peerAdded: [MediaPeer];
  peerRemoved: [MediaPeer];
  newProducer: [MediaPeer, Producer];
  activeSpeaker: [ActiveSpeaker];
};

export interface MediaRoomOptions {
  id: string;
  slot: MediaWorkerSlot;
  /** Where the room's PlainTransports listen. */
  plainListenInfo: TransportListenInfo;
}

/**
 * One active room on this node: a router on one worker, its active speaker
 * observer and its peers. Created by MediaRoomRegistry, which serializes
 * creation per room id.
 */
export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  private readonly logger = new Logger(MediaRoom.name);
  private readonly peerMap = new Map<string, MediaPeer>();
  private closeReason: MediaRoomCloseReason | undefined;

  private constructor(
    readonly id: string,
    readonly workerIndex: number,
    readonly router: Router,
    readonly activeSpeakerObserver: ActiveSpeakerObserver,
    private readonly webRtcServer: WebRtcServer,
    private readonly plainListenInfo: TransportListenInfo,
    worker: Worker,
  ) {
    super();
    // A worker also closes on the process's SIGINT/SIGTERM (mediasoup's own handler): that is a shutdown.
    router.once('workerclose', () => this.close(worker.died ? 'worker-died' : 'shutdown'));
    activeSpeakerObserver.on('dominantspeaker', ({ producer }) => {
      const peerId = producer.appData.peerId;
      if (typeof peerId === 'string')
        this.emit('activeSpeaker', { peerId, producerId: producer.id });
    });
  }

  static async create({ id, slot, plainListenInfo }: MediaRoomOptions): Promise<MediaRoom> {
    const router = await slot.worker.createRouter({
      mediaCodecs: MEDIA_CODECS,
      appData: { roomId: id },
    });
    try {
      const observer = await router.createActiveSpeakerObserver({ interval: 300 });
      return new MediaRoom(
        id,
        slot.index,
        router,
        observer,
        slot.webRtcServer,
        plainListenInfo,
        slot.worker,
      );
    } catch (e) {
      router.close();
      throw e;
    }
  }

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  get rtpCapabilities(): RouterRtpCapabilities {
    return this.router.rtpCapabilities;
  }

  /**
   * The router's capabilities as a receiver's, for server-side consumers
   * (recorders over PlainTransports) that take whatever the router sends.
   */
  get receiverRtpCapabilities(): RtpCapabilities {
    // A router fills in preferredPayloadType for every codec it offers.
    return this.router.rtpCapabilities as RtpCapabilities;
  }

  get peers(): ReadonlyMap<string, MediaPeer> {
    return this.peerMap;
  }

  /** Router + peers: what the registry balances workers by. */
  get load(): number {
    return 1 + this.peerMap.size;
  }

  /**
   * Adds a peer. A peer id already present (a client reconnecting) replaces
   * the old peer, whose transports close.
   */
  async addPeer(peerId: string, appData: AppData = {}): Promise<MediaPeer> {
    if (this.closed) throw MediaError.closed('room');
    const peer = await MediaPeer.create(peerId, this.peerContext(), appData);
    if (this.closed) {
      peer.close();
      throw MediaError.closed('room');
    }
    this.peerMap.get(peerId)?.close();
    this.peerMap.set(peerId, peer);
    peer.once('closed', () => {
      if (this.peerMap.get(peerId) === peer) this.peerMap.delete(peerId);
      this.emit('peerRemoved', peer);
    });
    this.emit('peerAdded', peer);
    return peer;
  }

  peer(peerId: string): MediaPeer {
    const p = this.peerMap.get(peerId);
    if (!p) throw MediaError.unknown('peer', peerId);
    return p;
  }

  /** Every producer of the room, optionally leaving out one peer's own. */
  producers(exceptPeerId?: string): Array<{ peerId: string; producer: Producer }> {
    const out: Array<{ peerId: string; producer: Producer }> = [];
    for (const peer of this.peerMap.values()) {
      if (peer.id === exceptPeerId) continue;
      for (const producer of peer.producers.values()) out.push({ peerId: peer.id, producer });
    }
    return out;
  }

  /** Closes peers, then the router. Safe to call twice; the first reason wins. */
  close(reason: MediaRoomCloseReason = 'closed'): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    for (const peer of [...this.peerMap.values()]) peer.close();
    this.peerMap.clear();
    this.router.close();
    this.emit('closed', reason);
  }

  private peerContext(): MediaPeerContext {
    return {
      roomId: this.id,
      router: this.router,
      webRtcServer: this.webRtcServer,
      plainListenInfo: this.plainListenInfo,
      onProducer: async (peer, producer) => {
        if (producer.kind === 'audio') {
          // A producer closed in the meantime is not an error worth failing produce for.
          await this.activeSpeakerObserver
            .addProducer({ producerId: producer.id })
            .catch((e: Error) => {
              if (!producer.closed)
                this.logger.warn(
                  `room ${this.id}: active speaker observer refused ${producer.id}: ${e.message}`,
                );
            });
        }
        this.emit('newProducer', peer, producer);
      },
    };
  }
}
