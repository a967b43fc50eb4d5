import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Consumer, Producer, RtpCapabilities, RtpParameters } from 'mediasoup/types';
import { createHmac, randomUUID } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import { AppError } from '../../../common/errors/app-error';
import type { GuestPrincipal, UserPrincipal } from '../../identity/auth/principal';
import { SessionsService } from '../../identity/services/sessions.service';
import type {
  RoomAccessChangedEvent,
  RoomDeletedEvent,
  RoomLobbyDecidedEvent,
  RoomLobbyRequestedEvent,
} from '../../rooms/rooms.events';
import { RoomAccessService } from '../../rooms/services/room-access.service';
import { RoomsService } from '../../rooms/services/rooms.service';
import type {
  ConnectTransportInput,
  ConsumeInput,
  ConsumerRefInput,
  CreateTransportInput,
  JoinInput,
  MediaSource,
  ModeratorMuteInput,
  ModeratorRemoveInput,
  ProduceInput,
  ProducerRefInput,
  SetPreferredLayersInput,
} from '../dto/signalling.dto';
import type {
  ConsumeReply,
  ConsumerStatsReply,
  JoinReply,
  KickReason,
  LobbyRequestedNotice,
  LobbyResolvedNotice,
  MediaServerEvents,
  PeerInfo,
  ProducerInfo,
  ReconnectReason,
  TransportReply,
} from '../dto/signalling.events';
import { MediaRoomRegistry } from '../media-room.registry';
import { SIGNALLING_SETTINGS, type IceServer, type SignallingSettings } from '../media.config';
import { MediaError } from '../media.errors';
import type { MediaPeer } from '../media.peer';
import type { MediaRoom, MediaRoomCloseReason } from '../media.room';
import { RoomNodeRegistry } from '../room-node.registry';

/** What a socket of /media carries between requests. */
export interface MediaSocketData {
  principal: UserPrincipal | GuestPrincipal | null;
  /** The session cookie's token, to re-check the session later (never logged). */
  sessionToken: string | null;
  sessionCheckedAt: number;
  joining?: boolean;
  joined?: JoinedPeer;
}

export interface JoinedPeer {
  roomId: string;
  slug: string;
  peerId: string;
  displayName: string;
  role: JoinReply['role'];
  canModerate: boolean;
}

/** Node-to-node messages through the Redis adapter. */
export interface MediaInterServerEvents {
  'media:kickRoom': (roomId: string, reason: KickReason) => void;
  'media:recheckUser': (roomId: string, userId: string) => void;
  'media:lobbyRequested': (roomId: string, notice: LobbyRequestedNotice) => void;
  'media:lobbyResolved': (roomId: string, notice: LobbyResolvedNotice) => void;
}

export type MediaSocket = Socket<
  Record<string, (...args: any[]) => void>,
  MediaServerEvents,
  MediaInterServerEvents,
  MediaSocketData
>;
export type MediaNamespace = Namespace<
  Record<string, (...args: any[]) => void>,
  MediaServerEvents,
  MediaInterServerEvents,
  MediaSocketData
>;

/** A socket.io room per media room, per user and per guest session. */
export const mediaRoomKey = (roomId: string) => `media:room:${roomId}`;
export const userKey = (userId: string) => `media:user:${userId}`;
export const guestKey = (guestId: string) => `media:guest:${guestId}`;

/** Transports one peer may hold: a browser needs two (send, recv); a little slack for ICE restarts done by re-creating. */
const MAX_TRANSPORTS_PER_PEER = 4;

const E = {
  unauthenticated: () =>
    AppError.unauthorized('unauthenticated', 'Sign in or get a guest session first'),
  notJoined: () => AppError.conflict('not_joined', 'Join a room first'),
  alreadyJoined: () => AppError.conflict('already_joined', 'This socket already joined a room'),
  lobbyRequired: (lobbyRequestId?: string) =>
    new AppError(
      'lobby_required',
      'A moderator must admit you to this room',
      403,
      lobbyRequestId ? { lobbyRequestId } : {},
    ),
  refused: (reason?: string) =>
    new AppError('room_access_refused', 'You may not enter this room', 403, { reason }),
  roomFull: (maxParticipants: number) =>
    AppError.conflict('room_full', 'The room is full', { maxParticipants }),
  notModerator: () =>
    AppError.forbidden(
      'forbidden_not_moderator',
      'Only the room’s owners and administrators moderate',
    ),
  cannotConsume: (producerId: string) =>
    AppError.badRequest('cannot_consume', `Your device cannot receive producer ${producerId}`),
  direction: (expected: 'send' | 'recv') =>
    AppError.badRequest('transport_direction_mismatch', `This needs a ${expected} transport`),
  tooManyTransports: () =>
    AppError.conflict(
      'too_many_transports',
      `A peer holds at most ${MAX_TRANSPORTS_PER_PEER} transports`,
    ),
  alreadyConnected: () =>
    AppError.conflict('transport_already_connected', 'This transport is already connected'),
  alreadyConsuming: (consumerId: string) =>
    AppError.conflict('already_consuming', 'You already receive this producer', { consumerId }),
  producerExists: (source: MediaSource, kind: string) =>
    AppError.conflict('producer_exists', `You already send ${kind} from your ${source}`),
  screenShareRefused: () =>
    AppError.forbidden('screen_share_not_allowed', 'Screen sharing is off in this room'),
};

/**
 * The rules of media signalling: who may join which media room (the same
 * access rules as REST), what a peer may do with its transports, producers
 * and consumers, moderation, and what every peer is told when the room
 * changes. The gateway only authenticates sockets and maps acks.
 *
 * Media state lives in memory on the node hosting the room, so all peers of a
 * room are local sockets: room events go to `nsp.local`. Events that start
 * elsewhere (lobby decisions, room deletion, access changes arrive on the
 * node that served the REST call) travel through the Redis adapter.
 */
@Injectable()
export class MediaSignallingService implements BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger(MediaSignallingService.name);
  private nsp: MediaNamespace | undefined;
  /** Local sockets by the peer id they joined as. */
  private readonly peerSockets = new Map<string, MediaSocket>();
  private readonly wired = new WeakSet<MediaRoom>();
  private readonly joinLocks = new Map<string, Promise<unknown>>();
  private readonly speakers = new Map<string, string>();
  /** Sockets of rooms closed by a worker's death, until the registry's roomsLost names them. */
  private readonly lost = new Map<string, MediaSocket[]>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private sweeping = false;

  constructor(
    private readonly registry: MediaRoomRegistry,
    private readonly nodes: RoomNodeRegistry,
    private readonly access: RoomAccessService,
    private readonly rooms: RoomsService,
    private readonly sessions: SessionsService,
    @Inject(SIGNALLING_SETTINGS) private readonly settings: SignallingSettings,
  ) {
    registry.on('roomsLost', ({ roomIds }) => {
      for (const roomId of roomIds) this.tellLost(roomId);
    });
  }

  /** Called once by the gateway with its namespace. */
  attach(nsp: MediaNamespace): void {
    this.nsp = nsp;
    nsp.on('media:kickRoom', (roomId, reason) => this.kickRoomLocally(roomId, reason));
    nsp.on('media:recheckUser', (roomId, userId) => void this.recheckUserLocally(roomId, userId));
    nsp.on('media:lobbyRequested', (roomId, notice) =>
      this.tellModeratorsLocally(roomId, 'lobbyRequested', notice),
    );
    nsp.on('media:lobbyResolved', (roomId, notice) =>
      this.tellModeratorsLocally(roomId, 'lobbyResolved', notice),
    );
    this.sweepTimer = setInterval(
      () => void this.sweepSessions(),
      this.settings.sessionCheckIntervalMs,
    );
    this.sweepTimer.unref();
  }

  // ---- connection lifecycle ----------------------------------------------

  async connected(socket: MediaSocket): Promise<void> {
    const p = socket.data.principal;
    // Lobby decisions are pushed to these rooms, from whichever node decided.
    if (p?.kind === 'user') await socket.join(userKey(p.userId));
    if (p?.kind === 'guest') await socket.join(guestKey(p.guestId));
  }

  disconnected(socket: MediaSocket): void {
    this.leavePeer(socket);
  }

  // ---- requests ------------------------------------------------------------

  async join(socket: MediaSocket, input: JoinInput): Promise<JoinReply> {
    const principal = await this.principalOf(socket);
    if (socket.data.joined || socket.data.joining) throw E.alreadyJoined();
    socket.data.joining = true;
    try {
      const decision = await this.access.check(principal, input.slug);
      if (decision.decision === 'lobby') throw E.lobbyRequired(decision.lobbyRequestId);
      if (decision.decision === 'refused') throw E.refused(decision.reason);
      const { room } = decision;
      const media = await this.registry.getOrCreate(room.id);
      this.wire(media);

      const displayName = principal.displayName;
      // Count and add under one lock: two last-seat joins must not both get in.
      const peer = await this.serialized(room.id, async () => {
        if (participants(media).length >= room.maxParticipants)
          throw E.roomFull(room.maxParticipants);
        return media.addPeer(randomUUID(), { participant: true, displayName });
      });
      if (!socket.connected || this.shuttingDown) {
        peer.close();
        throw MediaError.closed('peer');
      }
      const joined: JoinedPeer = {
        roomId: room.id,
        slug: room.slug,
        peerId: peer.id,
        displayName,
        role: decision.role,
        canModerate: decision.canModerate,
      };
      socket.data.joined = joined;
      this.peerSockets.set(peer.id, socket);
      peer.on('consumerClosed', (consumer) =>
        socket.emit('consumerClosed', { consumerId: consumer.id }),
      );
      await socket.join(mediaRoomKey(room.id));
      socket.to(mediaRoomKey(room.id)).local.emit('peerJoined', { peerId: peer.id, displayName });

      const speaker = this.speakers.get(room.id);
      if (speaker) setImmediate(() => socket.emit('activeSpeaker', { peerId: speaker }));
      return {
        roomId: room.id,
        peerId: peer.id,
        displayName,
        role: decision.role,
        canModerate: decision.canModerate,
        routerRtpCapabilities: media.rtpCapabilities,
        iceServers: this.iceServersFor(peer.id),
        peers: participants(media)
          .filter((p) => p.id !== peer.id)
          .map(peerInfo),
      };
    } finally {
      socket.data.joining = false;
    }
  }

  async createTransport(socket: MediaSocket, input: CreateTransportInput): Promise<TransportReply> {
    const { peer } = await this.joinedPeer(socket);
    if (peer.transports.size >= MAX_TRANSPORTS_PER_PEER) throw E.tooManyTransports();
    const t = await mediasoupCall(() =>
      peer.createWebRtcTransport({ appData: { direction: input.direction } }),
    );
    return {
      transportId: t.id,
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      dtlsParameters: t.dtlsParameters,
    };
  }

  async connectTransport(
    socket: MediaSocket,
    input: ConnectTransportInput,
  ): Promise<Record<string, never>> {
    const { peer } = await this.joinedPeer(socket);
    const transport = peer.transport(input.transportId);
    // mediasoup answers a second connect() with a plain Error: refuse it first.
    if (transport.appData.connected) throw E.alreadyConnected();
    transport.appData.connected = true;
    try {
      await mediasoupCall(() =>
        peer.connectWebRtcTransport(input.transportId, input.dtlsParameters),
      );
    } catch (e) {
      transport.appData.connected = false;
      throw e;
    }
    return {};
  }

  async produce(socket: MediaSocket, input: ProduceInput): Promise<{ producerId: string }> {
    const { peer, joined } = await this.joinedPeer(socket);
    const transport = peer.transport(input.transportId);
    if (transport.appData.direction !== 'send') throw E.direction('send');
    for (const p of peer.producers.values())
      if (p.appData.source === input.source && p.kind === input.kind)
        throw E.producerExists(input.source, input.kind);
    if (input.source === 'screen' && !joined.canModerate) {
      // Read fresh: a moderator may have turned screen sharing off since the join.
      const room = await this.rooms.getById(joined.roomId);
      if (room.configuration.allowScreenShare === false) throw E.screenShareRefused();
    }
    const producer = await mediasoupCall(() =>
      peer.produce(input.transportId, {
        kind: input.kind,
        rtpParameters: withoutAbsCaptureTime(input.rtpParameters as unknown as RtpParameters),
        paused: input.paused ?? false,
        appData: { source: input.source },
      }),
    );
    return { producerId: producer.id };
  }

  async consume(socket: MediaSocket, input: ConsumeInput): Promise<ConsumeReply> {
    const { peer, media } = await this.joinedPeer(socket);
    const transport = peer.transport(input.transportId);
    if (transport.appData.direction !== 'recv') throw E.direction('recv');
    const source = media.producers().find((p) => p.producer.id === input.producerId);
    if (!source) throw MediaError.unknown('producer', input.producerId);
    for (const c of peer.consumers.values())
      if (c.producerId === input.producerId) throw E.alreadyConsuming(c.id);
    let consumer: Consumer;
    try {
      consumer = await mediasoupCall(() =>
        peer.consume(
          input.transportId,
          input.producerId,
          input.rtpCapabilities as unknown as RtpCapabilities,
          { paused: true },
        ),
      );
    } catch (e) {
      if (e instanceof AppError && e.code === 'media_cannot_consume')
        throw E.cannotConsume(input.producerId);
      throw e;
    }
    consumer.on('layerschange', (layers) =>
      socket.emit(
        'consumerLayersChanged',
        layers
          ? {
              consumerId: consumer.id,
              spatialLayer: layers.spatialLayer,
              temporalLayer: layers.temporalLayer ?? 0,
            }
          : { consumerId: consumer.id, spatialLayer: null },
      ),
    );
    return {
      consumerId: consumer.id,
      producerId: source.producer.id,
      peerId: source.peerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    };
  }

  async resumeConsumer(
    socket: MediaSocket,
    input: ConsumerRefInput,
  ): Promise<Record<string, never>> {
    const { peer } = await this.joinedPeer(socket);
    await mediasoupCall(() => peer.consumer(input.consumerId).resume());
    return {};
  }

  async pauseConsumer(
    socket: MediaSocket,
    input: ConsumerRefInput,
  ): Promise<Record<string, never>> {
    const { peer } = await this.joinedPeer(socket);
    await mediasoupCall(() => peer.consumer(input.consumerId).pause());
    return {};
  }

  async pauseProducer(
    socket: MediaSocket,
    input: ProducerRefInput,
  ): Promise<Record<string, never>> {
    const { peer, joined } = await this.joinedPeer(socket);
    const producer = peer.producer(input.producerId);
    await mediasoupCall(() => producer.pause());
    socket.to(mediaRoomKey(joined.roomId)).local.emit('producerPaused', {
      peerId: peer.id,
      producerId: producer.id,
      byModerator: false,
    });
    return {};
  }

  async resumeProducer(
    socket: MediaSocket,
    input: ProducerRefInput,
  ): Promise<Record<string, never>> {
    const { peer, joined } = await this.joinedPeer(socket);
    const producer = peer.producer(input.producerId);
    await mediasoupCall(() => producer.resume());
    socket
      .to(mediaRoomKey(joined.roomId))
      .local.emit('producerResumed', { peerId: peer.id, producerId: producer.id });
    return {};
  }

  async closeProducer(
    socket: MediaSocket,
    input: ProducerRefInput,
  ): Promise<Record<string, never>> {
    const { peer } = await this.joinedPeer(socket);
    // The producer's close handler tells the others (see wire()).
    peer.producer(input.producerId).close();
    return {};
  }

  async setPreferredLayers(
    socket: MediaSocket,
    input: SetPreferredLayersInput,
  ): Promise<Record<string, never>> {
    const { peer } = await this.joinedPeer(socket);
    const consumer = peer.consumer(input.consumerId);
    await mediasoupCall(() =>
      consumer.setPreferredLayers({
        spatialLayer: input.spatialLayer,
        ...(input.temporalLayer !== undefined ? { temporalLayer: input.temporalLayer } : {}),
      }),
    );
    return {};
  }

  async getConsumerStats(
    socket: MediaSocket,
    input: ConsumerRefInput,
  ): Promise<ConsumerStatsReply> {
    const { peer } = await this.joinedPeer(socket);
    const consumer = peer.consumer(input.consumerId);
    return {
      currentLayers: consumer.currentLayers ?? null,
      preferredLayers: consumer.preferredLayers ?? null,
      score: consumer.score,
    };
  }

  async moderatorMute(
    socket: MediaSocket,
    input: ModeratorMuteInput,
  ): Promise<Record<string, never>> {
    const { media, joined } = await this.moderator(socket);
    const target = media.peer(input.peerId);
    const producers: Producer[] = input.producerId
      ? [target.producer(input.producerId)]
      : [...target.producers.values()].filter((p) => p.kind === 'audio');
    for (const producer of producers) {
      await mediasoupCall(() => producer.pause());
      // Everyone, the muted peer and the moderator included: the UI shows who muted.
      this.toRoom(joined.roomId).emit('producerPaused', {
        peerId: target.id,
        producerId: producer.id,
        byModerator: true,
      });
    }
    return {};
  }

  async moderatorRemove(
    socket: MediaSocket,
    input: ModeratorRemoveInput,
  ): Promise<Record<string, never>> {
    const { media } = await this.moderator(socket);
    const target = media.peer(input.peerId);
    const targetSocket = this.peerSockets.get(target.id);
    if (targetSocket) this.kick(targetSocket, 'removed_by_moderator');
    else target.close();
    return {};
  }

  async leave(socket: MediaSocket): Promise<Record<string, never>> {
    await this.principalOf(socket);
    if (!socket.data.joined) throw E.notJoined();
    this.leavePeer(socket);
    return {};
  }

  // ---- domain events ---------------------------------------------------------

  @OnEvent('room.lobby.requested')
  onLobbyRequested(e: RoomLobbyRequestedEvent): void {
    const notice: LobbyRequestedNotice = {
      slug: e.slug,
      requestId: e.requestId,
      displayName: e.displayName,
    };
    // The room's moderators are peers on whichever node hosts it: here, or elsewhere.
    this.tellModeratorsLocally(e.roomId, 'lobbyRequested', notice);
    this.nsp?.serverSideEmit('media:lobbyRequested', e.roomId, notice);
  }

  @OnEvent('room.lobby.decided')
  onLobbyDecided(e: RoomLobbyDecidedEvent): void {
    const target =
      e.requester.kind === 'user'
        ? userKey(e.requester.userId)
        : guestKey(e.requester.guestSessionId);
    // Through the adapter: the requester's socket may be on any node.
    this.nsp
      ?.to(target)
      .emit('lobbyDecision', { slug: e.slug, requestId: e.requestId, status: e.status });
    // The other moderators' waiting lists drop the entry.
    const resolved: LobbyResolvedNotice = {
      slug: e.slug,
      requestId: e.requestId,
      status: e.status,
    };
    this.tellModeratorsLocally(e.roomId, 'lobbyResolved', resolved);
    this.nsp?.serverSideEmit('media:lobbyResolved', e.roomId, resolved);
  }

  @OnEvent('room.deleted')
  onRoomDeleted(e: RoomDeletedEvent): void {
    this.kickRoomLocally(e.roomId, 'room_deleted');
    this.nsp?.serverSideEmit('media:kickRoom', e.roomId, 'room_deleted');
  }

  @OnEvent('room.access.changed')
  async onAccessChanged(e: RoomAccessChangedEvent): Promise<void> {
    this.nsp?.serverSideEmit('media:recheckUser', e.roomId, e.userId);
    await this.recheckUserLocally(e.roomId, e.userId);
  }

  // ---- shutdown --------------------------------------------------------------

  /** Tells joined peers to come back (through the load balancer, to a live node) and closes the sockets. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    this.stopSweep();
    for (const socket of [...this.peerSockets.values()]) {
      this.detach(socket);
      socket.emit('reconnectRequired', { reason: 'node_moved' });
    }
    this.nsp?.local.disconnectSockets(true);
  }

  onModuleDestroy(): void {
    this.stopSweep();
  }

  // ---- internals -------------------------------------------------------------

  /** The socket's principal, its session re-checked when the last check is older than the interval. */
  private async principalOf(socket: MediaSocket): Promise<UserPrincipal | GuestPrincipal> {
    const data = socket.data;
    if (!data.principal || !data.sessionToken) throw E.unauthenticated();
    if (Date.now() - data.sessionCheckedAt >= this.settings.sessionCheckIntervalMs) {
      if (!(await this.recheckSession(socket))) throw E.unauthenticated();
    }
    return data.principal;
  }

  /** Re-resolves the session; a revoked or expired one gets the socket kicked. */
  private async recheckSession(socket: MediaSocket): Promise<boolean> {
    const token = socket.data.sessionToken;
    if (!token) return false;
    const principal = await this.sessions.resolve(token);
    socket.data.sessionCheckedAt = Date.now();
    if (principal) {
      socket.data.principal = principal;
      return true;
    }
    socket.data.principal = null;
    socket.data.sessionToken = null;
    // Let a pending acknowledgement go out before the disconnect.
    this.kick(socket, 'session_revoked', true);
    return false;
  }

  private async sweepSessions(): Promise<void> {
    if (!this.nsp || this.sweeping) return;
    this.sweeping = true;
    try {
      const due = Date.now() - this.settings.sessionCheckIntervalMs;
      for (const socket of [...this.nsp.sockets.values()]) {
        if (!socket.connected || !socket.data.sessionToken || socket.data.sessionCheckedAt > due)
          continue;
        await this.recheckSession(socket).catch((e: Error) =>
          this.logger.warn(`session re-check failed: ${e.message}`),
        );
      }
    } finally {
      this.sweeping = false;
    }
  }

  private stopSweep(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private async joinedPeer(
    socket: MediaSocket,
  ): Promise<{ joined: JoinedPeer; media: MediaRoom; peer: MediaPeer }> {
    await this.principalOf(socket);
    const joined = socket.data.joined;
    if (!joined) throw E.notJoined();
    const media = this.registry.get(joined.roomId);
    const peer = media?.peers.get(joined.peerId);
    if (!media || !peer || peer.closed) {
      this.detach(socket);
      throw E.notJoined();
    }
    return { joined, media, peer };
  }

  /** A joined moderator: the role is read again, so a demotion since the join counts. */
  private async moderator(
    socket: MediaSocket,
  ): Promise<{ joined: JoinedPeer; media: MediaRoom; peer: MediaPeer }> {
    const ctx = await this.joinedPeer(socket);
    const decision = await this.access.check(socket.data.principal!, ctx.joined.slug);
    ctx.joined.canModerate = decision.canModerate;
    ctx.joined.role = decision.role;
    if (!decision.canModerate) throw E.notModerator();
    return ctx;
  }

  /** Room events → the room's sockets. Once per MediaRoom. */
  private wire(media: MediaRoom): void {
    if (this.wired.has(media)) return;
    this.wired.add(media);
    const roomId = media.id;
    media.on('newProducer', (peer, producer) => {
      const owner = this.peerSockets.get(peer.id);
      const info = { peerId: peer.id, ...producerInfo(producer) };
      (owner ? owner.to(mediaRoomKey(roomId)).local : this.toRoom(roomId)).emit(
        'newProducer',
        info,
      );
      producer.observer.once('close', () => {
        if (media.closed) return;
        (owner ? owner.to(mediaRoomKey(roomId)).local : this.toRoom(roomId)).emit(
          'producerClosed',
          {
            peerId: peer.id,
            producerId: producer.id,
          },
        );
      });
    });
    media.on('activeSpeaker', ({ peerId }) => {
      this.speakers.set(roomId, peerId);
      this.toRoom(roomId).emit('activeSpeaker', { peerId });
    });
    media.on('peerRemoved', (peer) => {
      // A closing room closes its peers first: its own handler tells them.
      if (media.closed) return;
      const socket = this.peerSockets.get(peer.id);
      if (socket) this.detach(socket);
      if (!peer.appData.participant) return;
      this.toRoom(roomId).emit('peerLeft', { peerId: peer.id });
      if (this.speakers.get(roomId) === peer.id) {
        this.speakers.delete(roomId);
        this.toRoom(roomId).emit('activeSpeaker', { peerId: null });
      }
    });
    media.once('closed', (reason) => void this.onRoomClosed(media, reason));
  }

  private async onRoomClosed(media: MediaRoom, reason: MediaRoomCloseReason): Promise<void> {
    this.speakers.delete(media.id);
    const members = [...this.peerSockets.values()].filter(
      (s) => s.data.joined?.roomId === media.id,
    );
    if (members.length === 0) return;
    if (reason === 'worker-died') {
      // The registry's roomsLost follows (once the pool names the dead worker).
      this.lost.set(media.id, members);
      return;
    }
    let nodeUrl: string | undefined;
    if (reason === 'claim-lost') {
      const holder = await this.nodes.locate(media.id).catch(() => null);
      nodeUrl = holder?.nodeUrl;
    }
    for (const socket of members) this.tellReconnect(socket, 'node_moved', nodeUrl);
  }

  private tellLost(roomId: string): void {
    const members = this.lost.get(roomId) ?? [];
    this.lost.delete(roomId);
    for (const socket of members) this.tellReconnect(socket, 'worker_died');
  }

  private tellReconnect(socket: MediaSocket, reason: ReconnectReason, nodeUrl?: string): void {
    this.detach(socket);
    socket.emit('reconnectRequired', nodeUrl ? { reason, nodeUrl } : { reason });
  }

  /** Closes the socket's peer (the room's peerRemoved handler tells the others). */
  private leavePeer(socket: MediaSocket): void {
    const joined = socket.data.joined;
    if (!joined) return;
    const peer = this.registry.get(joined.roomId)?.peers.get(joined.peerId);
    this.detach(socket);
    peer?.close();
  }

  private detach(socket: MediaSocket): void {
    const joined = socket.data.joined;
    if (!joined) return;
    socket.data.joined = undefined;
    if (this.peerSockets.get(joined.peerId) === socket) this.peerSockets.delete(joined.peerId);
    void socket.leave(mediaRoomKey(joined.roomId));
  }

  /** Tells the socket why, closes its peer and disconnects it (after pending acks when `deferred`). */
  private kick(socket: MediaSocket, reason: KickReason, deferred = false): void {
    socket.emit('kicked', { reason });
    this.leavePeer(socket);
    if (deferred) setImmediate(() => socket.disconnect(true));
    else socket.disconnect(true);
  }

  private kickRoomLocally(roomId: string, reason: KickReason): void {
    for (const socket of [...this.peerSockets.values()])
      if (socket.data.joined?.roomId === roomId) this.kick(socket, reason);
  }

  /** Lobby news → the sockets of this node joined to the room as moderators. */
  private tellModeratorsLocally<E extends 'lobbyRequested' | 'lobbyResolved'>(
    roomId: string,
    event: E,
    notice: Parameters<MediaServerEvents[E]>[0],
  ): void {
    for (const socket of this.peerSockets.values()) {
      const joined = socket.data.joined;
      if (joined?.roomId === roomId && joined.canModerate)
        (socket.emit as (e: E, n: typeof notice) => boolean)(event, notice);
    }
  }

  /** A user's role in a room changed: peers of theirs here lose or gain rights now. */
  private async recheckUserLocally(roomId: string, userId: string): Promise<void> {
    const sockets = [...this.peerSockets.values()].filter((s) => {
      const p = s.data.principal;
      return s.data.joined?.roomId === roomId && p?.kind === 'user' && p.userId === userId;
    });
    for (const socket of sockets) {
      const joined = socket.data.joined!;
      try {
        const d = await this.access.check(socket.data.principal!, joined.slug);
        if (d.decision !== 'enter') this.kick(socket, 'removed_by_moderator');
        else Object.assign(joined, { role: d.role, canModerate: d.canModerate });
      } catch (e) {
        this.logger.warn(`access re-check in room ${roomId} failed: ${(e as Error).message}`);
      }
    }
  }

  private toRoom(roomId: string) {
    return this.nsp!.local.to(mediaRoomKey(roomId));
  }

  private async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.joinLocks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.joinLocks.set(key, settled);
    void settled.then(() => {
      if (this.joinLocks.get(key) === settled) this.joinLocks.delete(key);
    });
    return run;
  }

  /**
   * MEDIA_ICE_SERVERS for this peer; TURN entries without credentials get
   * coturn REST-API credentials (`use-auth-secret`) valid for the configured TTL.
   */
  private iceServersFor(peerId: string): IceServer[] {
    const { iceServers, turnSecret, turnCredentialTtlSeconds } = this.settings;
    return iceServers.map((server) => {
      const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
      if (!turnSecret || server.username || !urls.some((u) => u.startsWith('turn'))) return server;
      const username = `${Math.floor(Date.now() / 1000) + turnCredentialTtlSeconds}:${peerId}`;
      const credential = createHmac('sha1', turnSecret).update(username).digest('base64');
      return { ...server, username, credential };
    });
  }
}

function participants(media: MediaRoom): MediaPeer[] {
  return [...media.peers.values()].filter((p) => p.appData.participant === true && !p.closed);
}

function producerInfo(producer: Producer): ProducerInfo {
  return {
    producerId: producer.id,
    kind: producer.kind,
    source: producer.appData.source as MediaSource,
    paused: producer.paused,
  };
}

function peerInfo(peer: MediaPeer): PeerInfo {
  return {
    peerId: peer.id,
    displayName: String(peer.appData.displayName ?? ''),
    producers: [...peer.producers.values()].map(producerInfo),
  };
}

/**
 * mediasoup refuses bad parameters with TypeError / UnsupportedError: those are
 * the client's mistakes (400), not ours.
 */
async function mediasoupCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (e instanceof TypeError || (e as Error)?.name === 'UnsupportedError')
      throw AppError.badRequest('invalid_media_parameters', (e as Error).message);
    throw e;
  }
}

const ABS_CAPTURE_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time';

/**
 * Chrome negotiates abs-capture-time but puts it on no video packet.
 * mediasoup 3.27 then takes it as its only source of capture instants (it
 * never falls back to Sender Reports), cannot align simulcast streams, and
 * stays on the first spatial layer it picked: no adaptation, and
 * setPreferredLayers is ignored. Dropped here, for every client.
 */
export function withoutAbsCaptureTime(p: RtpParameters): RtpParameters {
  return { ...p, headerExtensions: p.headerExtensions?.filter((h) => h.uri !== ABS_CAPTURE_TIME) };
}
