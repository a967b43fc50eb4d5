import { Device, type types } from 'mediasoup-client';
import { io, type Socket } from 'socket.io-client';
import {
  RequestError,
  type Ack,
  type ConsumerStats,
  type JoinResult,
  type Kind,
  type Requests,
  type RoomRole,
  type ServerEvents,
  type Source,
  type TransportInfo,
} from './protocol';

/** What we know of a producer of another peer. */
export interface RemoteProducer {
  producerId: string;
  kind: Kind;
  source: Source;
  paused: boolean;
  /** Paused by a moderator rather than by its owner. */
  byModerator: boolean;
}

export interface RemotePeer {
  peerId: string;
  displayName: string;
  producers: Map<string, RemoteProducer>;
}

export interface ConsumerEntry {
  consumer: types.Consumer;
  peerId: string;
  producerId: string;
  kind: Kind;
  source: Source;
}

/** Why the session ended (no automatic re-join after these). */
export type EndReason =
  'left' | 'removed_by_moderator' | 'session_revoked' | 'room_deleted' | 'lobby_denied' | 'error';

export interface SessionListener {
  /** Anything the page shows changed: re-render. */
  changed(): void;
  /** A line for the live region. */
  announce(text: string): void;
  /** A lobby decision arrived on the socket. */
  lobbyDecision(status: 'admitted' | 'denied'): void;
  /** (Moderators) someone started waiting in this room's lobby. */
  lobbyRequested(entry: { requestId: string; displayName: string }): void;
  /** (Moderators) a waiting entry was admitted or denied, by us or another moderator. */
  lobbyResolved(entry: { requestId: string; status: 'admitted' | 'denied' }): void;
  /** The server ended our participation. */
  ended(reason: EndReason): void;
  /** The socket came back or the server asked us to re-join. */
  rejoinNeeded(): void;
}

/** Camera simulcast: three spatial layers, each with temporal layers (L1T3). */
export const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 100_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 300_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 900_000, scalabilityMode: 'L1T3' },
];

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * One participant's signalling and media: the /media socket, the mediasoup
 * device, one send and one receive transport, our producers and the
 * consumers of everyone else's. No DOM here: the page renders the state.
 */
export class MediaSession {
  socket: Socket | null = null;
  /** The node this socket talks to (origin and path prefix). */
  private nodeBase = '';
  device: Device | null = null;
  joined: JoinResult | null = null;
  sendTransport: types.Transport | null = null;
  recvTransport: types.Transport | null = null;
  readonly peers = new Map<string, RemotePeer>();
  readonly consumers = new Map<string, ConsumerEntry>();
  readonly producers = new Map<Source, types.Producer>();
  /** Local tracks survive re-joins; producers do not. */
  readonly localTracks: {
    mic?: MediaStreamTrack;
    camera?: MediaStreamTrack;
    screen?: MediaStreamTrack;
  } = {};
  activeSpeakerId: string | null = null;
  micMutedByModerator = false;
  /** Wanted state of our own media, re-applied after a re-join. */
  micOn = true;
  cameraOn = true;
  /** The last server events (test hook and debugging). */
  readonly events: Array<{ name: string; payload: unknown; at: number }> = [];
  private recvReady: Promise<void> = Promise.resolve();
  private endedReason: EndReason | null = null;
  private generation = 0;

  constructor(
    private readonly slug: string,
    private readonly listener: SessionListener,
    private readonly videoConstraints: MediaTrackConstraints,
  ) {}

  get peerId(): string | null {
    return this.joined?.peerId ?? null;
  }
  get role(): RoomRole | null {
    return this.joined?.role ?? null;
  }
  get canModerate(): boolean {
    return this.joined?.canModerate ?? false;
  }
  get ended(): EndReason | null {
    return this.endedReason;
  }

  /**
   * Opens the socket to the node at `baseUrl` (default: this page's origin)
   * and waits for it. A node URL may carry a path prefix
   * (https://visio.example/nodes/b): socket.io's path then follows it.
   */
  connect(baseUrl = ''): Promise<void> {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    const base = new URL(baseUrl || location.origin, location.href);
    this.nodeBase = `${base.origin}${base.pathname.replace(/\/$/, '')}`;
    const socket = io(`${base.origin}/media`, {
      path: `${base.pathname.replace(/\/$/, '')}/socket.io`,
      transports: ['websocket'],
      withCredentials: true,
    });
    this.socket = socket;
    let first = true;
    socket.on('connect', () => {
      if (first) {
        first = false;
        return;
      }
      // socket.io reconnected: the server forgot our peer.
      if (!this.endedReason && this.joined) {
        this.resetMedia();
        this.listener.rejoinNeeded();
      }
    });
    socket.on('disconnect', (reason) => {
      if (this.endedReason) return;
      if (this.joined) this.listener.announce('Connexion perdue, reconnexion…');
      // A server-side disconnect is not retried by socket.io itself.
      if (reason === 'io server disconnect') socket.connect();
    });
    this.listen(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (e) => reject(e));
    });
  }

  /**
   * One request, answered by its ack (`{ ok, data | error }`). Past the
   * server's per-socket budget (`rate_limited`, e.g. joining a large room)
   * it waits and tries again.
   */
  async request<N extends keyof Requests>(
    name: N,
    payload: Requests[N][0],
  ): Promise<Requests[N][1]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.requestOnce(name, payload);
      } catch (e) {
        if (!(e instanceof RequestError) || e.code !== 'rate_limited' || attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
      }
    }
  }

  private requestOnce<N extends keyof Requests>(
    name: N,
    payload: Requests[N][0],
  ): Promise<Requests[N][1]> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new RequestError('not_connected', 'Not connected'));
    return new Promise((resolve, reject) => {
      socket
        .timeout(REQUEST_TIMEOUT_MS)
        .emit(name, payload, (err: Error | null, ack: Ack<Requests[N][1]>) => {
          if (err) reject(new RequestError('timeout', `${name}: no answer`));
          else if (ack?.ok) resolve(ack.data);
          else
            reject(
              new RequestError(
                ack?.error?.code ?? 'bad_answer',
                ack?.error?.message ?? `${name} failed`,
                ack?.error?.details,
              ),
            );
        });
    });
  }

  /**
   * Joins the room and sets up media. Throws RequestError with the server's
   * code (`lobby_required`, `room_full`, `media_room_elsewhere`…).
   */
  async join(): Promise<JoinResult> {
    this.endedReason = null;
    const generation = ++this.generation;
    const joined = await this.request('join', { slug: this.slug });
    this.joined = joined;
    this.peers.clear();
    for (const p of joined.peers) this.addPeer(p.peerId, p.displayName, p.producers);
    this.listener.changed();

    this.device ??= new Device();
    if (!this.device.loaded)
      await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });

    let recvDone!: () => void;
    this.recvReady = new Promise((r) => (recvDone = r));
    this.recvTransport = await this.createTransport('recv', joined);
    recvDone();
    if (generation !== this.generation) return joined;
    for (const p of joined.peers)
      for (const pr of p.producers) void this.consume(p.peerId, pr.producerId);

    await this.startSending(joined, generation);
    this.listener.changed();
    return joined;
  }

  /** Leaves on purpose: tells the server, closes everything, keeps the socket for a re-join. */
  async leave(): Promise<void> {
    this.endedReason = 'left';
    if (this.joined) await this.request('leave', {}).catch(() => undefined);
    this.resetMedia();
    this.stopLocalTracks();
    this.socket?.disconnect();
    this.listener.ended('left');
  }

  /** Forgets every transport, producer and consumer (the server closed or will close its side). */
  resetMedia(): void {
    this.generation++;
    for (const c of this.consumers.values()) c.consumer.close();
    this.consumers.clear();
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
    this.joined = null;
    this.peers.clear();
    this.activeSpeakerId = null;
    this.listener.changed();
  }

  stopLocalTracks(): void {
    for (const t of Object.values(this.localTracks)) t?.stop();
    delete this.localTracks.mic;
    delete this.localTracks.camera;
    delete this.localTracks.screen;
  }

  // --- own media -----------------------------------------------------------

  async setMic(on: boolean): Promise<void> {
    this.micOn = on;
    const p = this.producers.get('mic');
    if (p) {
      if (on) {
        await this.request('resumeProducer', { producerId: p.id });
        p.resume();
        this.micMutedByModerator = false;
      } else {
        p.pause();
        await this.request('pauseProducer', { producerId: p.id });
      }
    }
    this.listener.changed();
  }

  async setCamera(on: boolean): Promise<void> {
    this.cameraOn = on;
    const p = this.producers.get('camera');
    if (p) {
      if (on) {
        await this.request('resumeProducer', { producerId: p.id });
        p.resume();
      } else {
        p.pause();
        await this.request('pauseProducer', { producerId: p.id });
      }
    }
    this.listener.changed();
  }

  async startScreenShare(): Promise<void> {
    if (!this.sendTransport) throw new RequestError('not_joined', 'Not in the room');
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    track.contentHint = 'detail';
    this.localTracks.screen = track;
    try {
      const producer = await this.sendTransport.produce({
        track,
        stopTracks: false,
        encodings: [{ maxBitrate: 1_500_000 }],
        appData: { source: 'screen' },
      });
      this.producers.set('screen', producer);
      // The browser's own "stop sharing" button.
      track.addEventListener('ended', () => void this.stopScreenShare());
    } catch (e) {
      track.stop();
      delete this.localTracks.screen;
      throw e;
    }
    this.listener.changed();
  }

  async stopScreenShare(): Promise<void> {
    const p = this.producers.get('screen');
    this.producers.delete('screen');
    this.localTracks.screen?.stop();
    delete this.localTracks.screen;
    if (p) {
      p.close();
      await this.request('closeProducer', { producerId: p.id }).catch(() => undefined);
    }
    this.listener.changed();
  }

  // --- moderation ----------------------------------------------------------

  moderatorMute(peerId: string): Promise<unknown> {
    return this.request('moderatorMute', { peerId });
  }

  moderatorRemove(peerId: string): Promise<unknown> {
    return this.request('moderatorRemove', { peerId });
  }

  // --- test and diagnostics helpers ----------------------------------------

  setPreferredLayers(
    consumerId: string,
    spatialLayer: number,
    temporalLayer?: number,
  ): Promise<unknown> {
    return this.request('setPreferredLayers', {
      consumerId,
      spatialLayer,
      ...(temporalLayer === undefined ? {} : { temporalLayer }),
    });
  }

  consumerStats(consumerId: string): Promise<ConsumerStats> {
    return this.request('getConsumerStats', { consumerId });
  }

  // --- internals -----------------------------------------------------------

  private async createTransport(
    direction: 'send' | 'recv',
    joined: JoinResult,
  ): Promise<types.Transport> {
    const info: TransportInfo = await this.request('createTransport', { direction });
    const options = {
      id: info.transportId,
      iceParameters: info.iceParameters,
      iceCandidates: info.iceCandidates,
      dtlsParameters: info.dtlsParameters,
      iceServers: joined.iceServers ?? [],
    };
    const transport =
      direction === 'send'
        ? this.device!.createSendTransport(options)
        : this.device!.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      this.request('connectTransport', { transportId: transport.id, dtlsParameters })
        .then(() => done())
        .catch(fail);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
        this.request('produce', {
          transportId: transport.id,
          kind,
          rtpParameters,
          source: appData.source as Source,
        })
          .then(({ producerId }) => done({ id: producerId }))
          .catch(fail);
      });
    }
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') this.listener.announce('La connexion média a échoué.');
    });
    return transport;
  }

  /** Microphone and camera, asked once and reused across re-joins. */
  private async startSending(joined: JoinResult, generation: number): Promise<void> {
    const wantAudio = this.device!.canProduce('audio');
    const wantVideo = this.device!.canProduce('video');
    if (!this.localTracks.mic && !this.localTracks.camera && (wantAudio || wantVideo)) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia({
          audio: wantAudio,
          video: wantVideo ? this.videoConstraints : false,
        });
        this.localTracks.mic = stream.getAudioTracks()[0];
        this.localTracks.camera = stream.getVideoTracks()[0];
      } catch (e) {
        this.listener.announce(
          `Micro et caméra indisponibles (${(e as Error).name}) : vous pouvez écouter et regarder.`,
        );
      }
    }
    if (!this.localTracks.mic && !this.localTracks.camera) return;
    if (generation !== this.generation) return;
    this.sendTransport = await this.createTransport('send', joined);
    if (this.localTracks.mic) {
      const mic = await this.sendTransport.produce({
        track: this.localTracks.mic,
        stopTracks: false,
        codecOptions: { opusStereo: false, opusFec: true },
        appData: { source: 'mic' },
      });
      this.producers.set('mic', mic);
      if (!this.micOn) await this.setMic(false);
    }
    if (this.localTracks.camera) {
      const camera = await this.sendTransport.produce({
        track: this.localTracks.camera,
        stopTracks: false,
        encodings: CAMERA_ENCODINGS.map((e) => ({ ...e })),
        codecOptions: { videoGoogleStartBitrate: 1000 },
        appData: { source: 'camera' },
      });
      this.producers.set('camera', camera);
      if (!this.cameraOn) await this.setCamera(false);
    }
  }

  private addPeer(
    peerId: string,
    displayName: string,
    producers: Iterable<Omit<RemoteProducer, 'byModerator'>> = [],
  ): RemotePeer {
    const peer: RemotePeer = this.peers.get(peerId) ?? {
      peerId,
      displayName,
      producers: new Map(),
    };
    peer.displayName = displayName;
    for (const p of producers) peer.producers.set(p.producerId, { ...p, byModerator: false });
    this.peers.set(peerId, peer);
    return peer;
  }

  private async consume(peerId: string, producerId: string): Promise<void> {
    const generation = this.generation;
    await this.recvReady;
    const transport = this.recvTransport;
    if (!transport || generation !== this.generation) return;
    try {
      const r = await this.request('consume', {
        transportId: transport.id,
        producerId,
        rtpCapabilities: this.device!.rtpCapabilities,
      });
      if (generation !== this.generation) return;
      const source =
        this.peers.get(peerId)?.producers.get(producerId)?.source ??
        (r.kind === 'audio' ? 'mic' : 'camera');
      const consumer = await transport.consume({
        id: r.consumerId,
        producerId: r.producerId,
        kind: r.kind,
        rtpParameters: r.rtpParameters,
        appData: { peerId, source },
      });
      // The producer may have gone while we were setting up.
      if (!this.peers.get(peerId)?.producers.has(producerId)) {
        consumer.close();
        return;
      }
      this.consumers.set(consumer.id, { consumer, peerId, producerId, kind: r.kind, source });
      consumer.on('trackended', () => this.dropConsumer(consumer.id));
      await this.request('resumeConsumer', { consumerId: consumer.id });
      this.listener.changed();
    } catch (e) {
      if (generation === this.generation)
        console.warn(`consume ${producerId} failed`, (e as RequestError).code ?? e);
    }
  }

  private dropConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    entry.consumer.close();
    this.consumers.delete(consumerId);
    this.listener.changed();
  }

  private dropProducerOf(peerId: string, producerId: string): void {
    this.peers.get(peerId)?.producers.delete(producerId);
    for (const [id, c] of this.consumers) if (c.producerId === producerId) this.dropConsumer(id);
  }

  private nameOf(peerId: string): string {
    return this.peers.get(peerId)?.displayName ?? 'Un participant';
  }

  private listen(socket: Socket): void {
    const on = <E extends keyof ServerEvents>(
      name: E,
      handler: (payload: ServerEvents[E]) => void,
    ) => {
      socket.on(name as string, (payload: ServerEvents[E]) => {
        this.events.push({ name, payload, at: Date.now() });
        if (this.events.length > 200) this.events.shift();
        handler(payload);
        this.listener.changed();
      });
    };
    on('peerJoined', ({ peerId, displayName }) => {
      if (!this.joined || peerId === this.peerId) return;
      this.addPeer(peerId, displayName);
      this.listener.announce(`${displayName} a rejoint la réunion.`);
    });
    on('peerLeft', ({ peerId }) => {
      const name = this.nameOf(peerId);
      for (const [id, c] of this.consumers) if (c.peerId === peerId) this.dropConsumer(id);
      if (this.peers.delete(peerId)) this.listener.announce(`${name} a quitté la réunion.`);
      if (this.activeSpeakerId === peerId) this.activeSpeakerId = null;
    });
    on('newProducer', ({ peerId, producerId, kind, source, paused }) => {
      if (!this.joined || peerId === this.peerId) return;
      const peer = this.peers.get(peerId) ?? this.addPeer(peerId, 'Participant');
      peer.producers.set(producerId, { producerId, kind, source, paused, byModerator: false });
      if (source === 'screen') this.listener.announce(`${peer.displayName} partage son écran.`);
      void this.consume(peerId, producerId);
    });
    on('producerClosed', ({ peerId, producerId }) => {
      const source = this.peers.get(peerId)?.producers.get(producerId)?.source;
      if (source === 'screen')
        this.listener.announce(`${this.nameOf(peerId)} a arrêté de partager son écran.`);
      this.dropProducerOf(peerId, producerId);
    });
    on('consumerClosed', ({ consumerId }) => this.dropConsumer(consumerId));
    on('producerPaused', ({ peerId, producerId, byModerator }) => {
      if (peerId === this.peerId) {
        const mine = [...this.producers.entries()].find(([, p]) => p.id === producerId);
        if (!mine) return;
        const [source, producer] = mine;
        producer.pause();
        if (source === 'mic') {
          this.micOn = false;
          if (byModerator) {
            this.micMutedByModerator = true;
            this.listener.announce('Un modérateur a coupé votre micro.');
          }
        }
        if (source === 'camera') this.cameraOn = false;
        return;
      }
      const p = this.peers.get(peerId)?.producers.get(producerId);
      if (p) {
        p.paused = true;
        p.byModerator = byModerator;
        if (byModerator && p.kind === 'audio')
          this.listener.announce(
            `Le micro de ${this.nameOf(peerId)} a été coupé par un modérateur.`,
          );
      }
    });
    on('producerResumed', ({ peerId, producerId }) => {
      const p = this.peers.get(peerId)?.producers.get(producerId);
      if (p) {
        p.paused = false;
        p.byModerator = false;
      }
    });
    on('consumerLayersChanged', () => undefined);
    on('activeSpeaker', ({ peerId }) => {
      this.activeSpeakerId = peerId;
    });
    on('lobbyDecision', ({ slug, status }) => {
      if (slug === this.slug) this.listener.lobbyDecision(status);
    });
    on('lobbyRequested', ({ slug, requestId, displayName }) => {
      if (slug === this.slug) this.listener.lobbyRequested({ requestId, displayName });
    });
    on('lobbyResolved', ({ slug, requestId, status }) => {
      if (slug === this.slug) this.listener.lobbyResolved({ requestId, status });
    });
    on('kicked', ({ reason }) => {
      this.endedReason = reason;
      this.resetMedia();
      this.stopLocalTracks();
      socket.disconnect();
      this.listener.ended(reason);
    });
    on('reconnectRequired', ({ nodeUrl }) => {
      this.listener.announce('Le serveur média a changé : reconnexion…');
      this.resetMedia();
      if (nodeUrl && nodeUrl.replace(/\/$/, '') !== this.nodeBase) {
        void this.connect(nodeUrl).then(() => this.listener.rejoinNeeded());
      } else {
        this.listener.rejoinNeeded();
      }
    });
  }
}

/** An RTCStatsReport as plain objects (what tests read through the page hook). */
export function statsToArray(report: RTCStatsReport | undefined): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  report?.forEach((s) => out.push({ ...s }));
  return out;
}
