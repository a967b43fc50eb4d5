import type {
  AppData,
  Consumer,
  DtlsParameters,
  MediaKind,
  PlainTransport,
  Producer,
  Router,
  RtpCapabilities,
  RtpParameters,
  SrtpCryptoSuite,
  SrtpParameters,
  Transport,
  TransportListenInfo,
  WebRtcServer,
  WebRtcTransport,
} from 'mediasoup/types';
import { EventEmitter } from 'node:events';
import { MediaError } from './media.errors';

/** What a peer needs of its room; the room builds it (keeps the peer free of room internals). */
export interface MediaPeerContext {
  readonly roomId: string;
  readonly router: Router;
  readonly webRtcServer: WebRtcServer;
  /** Where PlainTransports (recording, RTP ingest) listen. */
  readonly plainListenInfo: TransportListenInfo;
  /** Called once per new producer (the room feeds audio to its active speaker observer). */
  onProducer(peer: MediaPeer, producer: Producer): Promise<void>;
}

export interface ProduceOptions {
  kind: MediaKind;
  rtpParameters: RtpParameters;
  paused?: boolean;
  appData?: AppData;
}

export interface ConsumeOptions {
  /** Start paused (the default) until the client says it is ready, as mediasoup recommends for video. */
  paused?: boolean;
  appData?: AppData;
}

export interface PlainTransportOptions {
  comedia?: boolean;
  rtcpMux?: boolean;
  enableSrtp?: boolean;
  srtpCryptoSuite?: SrtpCryptoSuite;
  appData?: AppData;
}

export type MediaPeerEvents = {
  closed: [];
  /** A consumer went away without the peer asking (its producer or transport closed). */
  consumerClosed: [Consumer];
};

/**
 * One participant's media state on a room's router: transports, producers
 * and consumers, each removed from the maps as soon as mediasoup closes it.
 */
export class MediaPeer extends EventEmitter<MediaPeerEvents> {
  readonly transports = new Map<string, Transport>();
  readonly producers = new Map<string, Producer>();
  readonly consumers = new Map<string, Consumer>();
  private isClosed = false;

  private constructor(
    readonly id: string,
    private readonly ctx: MediaPeerContext,
    readonly appData: AppData,
  ) {
    super();
  }

  static async create(
    id: string,
    ctx: MediaPeerContext,
    appData: AppData = {},
  ): Promise<MediaPeer> {
    if (ctx.router.closed) throw MediaError.closed('room');
    return new MediaPeer(id, ctx, appData);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get roomId(): string {
    return this.ctx.roomId;
  }

  /** A WebRTC transport on the worker's WebRtcServer (one UDP/TCP port per worker). */
  async createWebRtcTransport(
    options: { initialAvailableOutgoingBitrate?: number; appData?: AppData } = {},
  ): Promise<WebRtcTransport> {
    this.assertOpen();
    const transport = await this.ctx.router.createWebRtcTransport({
      webRtcServer: this.ctx.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: options.initialAvailableOutgoingBitrate ?? 1_000_000,
      appData: { ...options.appData, peerId: this.id },
    });
    return this.track(transport);
  }

  /** A plain RTP transport (recording to ffmpeg, RTP ingest). */
  async createPlainTransport(options: PlainTransportOptions = {}): Promise<PlainTransport> {
    this.assertOpen();
    const transport = await this.ctx.router.createPlainTransport({
      listenInfo: this.ctx.plainListenInfo,
      comedia: options.comedia ?? false,
      rtcpMux: options.rtcpMux ?? true,
      enableSrtp: options.enableSrtp ?? false,
      ...(options.srtpCryptoSuite ? { srtpCryptoSuite: options.srtpCryptoSuite } : {}),
      appData: { ...options.appData, peerId: this.id },
    });
    return this.track(transport);
  }

  async connectWebRtcTransport(transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    await this.transport(transportId).connect({ dtlsParameters });
  }

  async connectPlainTransport(
    transportId: string,
    remote: { ip?: string; port?: number; rtcpPort?: number; srtpParameters?: SrtpParameters },
  ): Promise<void> {
    await this.transport(transportId).connect(remote);
  }

  async produce(transportId: string, options: ProduceOptions): Promise<Producer> {
    const transport = this.transport(transportId);
    const producer = await transport.produce({
      kind: options.kind,
      rtpParameters: options.rtpParameters,
      paused: options.paused ?? false,
      appData: { ...options.appData, peerId: this.id },
    });
    this.producers.set(producer.id, producer);
    producer.observer.once('close', () => this.producers.delete(producer.id));
    await this.ctx.onProducer(this, producer);
    return producer;
  }

  /** Consumes any producer of the room's router (another peer's, or for recording). */
  async consume(
    transportId: string,
    producerId: string,
    rtpCapabilities: RtpCapabilities,
    options: ConsumeOptions = {},
  ): Promise<Consumer> {
    const transport = this.transport(transportId);
    if (!this.ctx.router.canConsume({ producerId, rtpCapabilities }))
      throw MediaError.cannotConsume(producerId);
    const consumer = await transport.consume({
      producerId,
      rtpCapabilities,
      paused: options.paused ?? true,
      appData: { ...options.appData, peerId: this.id },
    });
    this.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => this.consumers.delete(consumer.id));
    // Closed from mediasoup's side, not by the peer: the client must be told.
    consumer.once('producerclose', () => this.emit('consumerClosed', consumer));
    return consumer;
  }

  transport(id: string): Transport {
    const t = this.transports.get(id);
    if (!t) throw MediaError.unknown('transport', id);
    return t;
  }

  producer(id: string): Producer {
    const p = this.producers.get(id);
    if (!p) throw MediaError.unknown('producer', id);
    return p;
  }

  consumer(id: string): Consumer {
    const c = this.consumers.get(id);
    if (!c) throw MediaError.unknown('consumer', id);
    return c;
  }

  /** Closes every transport (and so every producer and consumer). Safe to call twice. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.emit('closed');
  }

  private track<T extends Transport>(transport: T): T {
    // The peer may have closed while the worker was creating the transport.
    if (this.isClosed) {
      transport.close();
      throw MediaError.closed('peer');
    }
    this.transports.set(transport.id, transport);
    transport.observer.once('close', () => this.transports.delete(transport.id));
    return transport;
  }

  private assertOpen(): void {
    if (this.isClosed) throw MediaError.closed('peer');
  }
}
