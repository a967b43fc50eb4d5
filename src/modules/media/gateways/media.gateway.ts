import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { SkipThrottle } from '@nestjs/throttler';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { AppError } from '../../../common/errors/app-error';
import { parseWith } from '../../../common/http/validation';
import {
  allowedOrigins,
  handshakeOriginAllowed,
  parseCookieHeader,
} from '../../../common/ws/handshake';
import { TokenBucket } from '../../../common/ws/token-bucket';
import { wsAck, wsErrorBody, type WsAck } from '../../../common/ws/ws-ack';
import { AppConfig } from '../../../config/app-config';
import { sessionCookieName } from '../../identity/auth/session-cookie';
import { SessionsService } from '../../identity/services/sessions.service';
import {
  connectTransportSchema,
  consumerRefSchema,
  consumeSchema,
  createTransportSchema,
  joinSchema,
  leaveSchema,
  moderatorMuteSchema,
  moderatorRemoveSchema,
  producerRefSchema,
  produceSchema,
  setPreferredLayersSchema,
} from '../dto/signalling.dto';
import {
  MediaSignallingService,
  type MediaNamespace,
  type MediaSocket,
} from '../services/media-signalling.service';

/** A refused handshake: the client's `connect_error` carries `message` and `data: { code, message }`. */
class HandshakeRefused extends Error {
  readonly data: { code: string; message: string };
  constructor(code: string, message: string) {
    super(code);
    this.data = { code, message };
  }
}

/**
 * The media signalling namespace. A handshake from a foreign Origin is
 * refused; the session cookie is resolved before the socket connects (a
 * namespace middleware, so no request can overtake it). A socket without a
 * session still connects and gets `unauthenticated` on each request: the
 * client shows a clean error instead of a reconnect loop. Every request is
 * validated by its zod schema and acknowledged `{ ok, data | error }`.
 */
// Media signalling is chatty (a few requests per track); REST's rate limit is no fit.
@SkipThrottle()
@WebSocketGateway({ namespace: '/media' })
export class MediaGateway
  implements
    OnGatewayInit<MediaNamespace>,
    OnGatewayConnection<MediaSocket>,
    OnGatewayDisconnect<MediaSocket>
{
  private readonly logger = new Logger(MediaGateway.name);
  private readonly origins: ReadonlySet<string>;
  /** One request budget per socket (forgotten with the socket). */
  private readonly buckets = new WeakMap<MediaSocket, TokenBucket>();

  constructor(
    private readonly signalling: MediaSignallingService,
    private readonly sessions: SessionsService,
    private readonly config: AppConfig,
  ) {
    this.origins = allowedOrigins(config);
  }

  afterInit(nsp: MediaNamespace): void {
    nsp.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (e: unknown) => {
          if (e instanceof HandshakeRefused) return next(e);
          const body = wsErrorBody(e, this.logger, 'media handshake');
          next(new HandshakeRefused(body.code, body.message));
        },
      );
    });
    this.signalling.attach(nsp);
  }

  async handleConnection(socket: MediaSocket): Promise<void> {
    await this.signalling.connected(socket);
  }

  handleDisconnect(socket: MediaSocket): void {
    this.signalling.disconnected(socket);
  }

  @SubscribeMessage('join')
  join(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'join', joinSchema, body, (input) => this.signalling.join(s, input));
  }

  @SubscribeMessage('createTransport')
  createTransport(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'createTransport', createTransportSchema, body, (input) =>
      this.signalling.createTransport(s, input),
    );
  }

  @SubscribeMessage('connectTransport')
  connectTransport(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'connectTransport', connectTransportSchema, body, (input) =>
      this.signalling.connectTransport(s, input),
    );
  }

  @SubscribeMessage('produce')
  produce(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'produce', produceSchema, body, (input) =>
      this.signalling.produce(s, input),
    );
  }

  @SubscribeMessage('consume')
  consume(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'consume', consumeSchema, body, (input) =>
      this.signalling.consume(s, input),
    );
  }

  @SubscribeMessage('resumeConsumer')
  resumeConsumer(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'resumeConsumer', consumerRefSchema, body, (input) =>
      this.signalling.resumeConsumer(s, input),
    );
  }

  @SubscribeMessage('pauseConsumer')
  pauseConsumer(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'pauseConsumer', consumerRefSchema, body, (input) =>
      this.signalling.pauseConsumer(s, input),
    );
  }

  @SubscribeMessage('pauseProducer')
  pauseProducer(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'pauseProducer', producerRefSchema, body, (input) =>
      this.signalling.pauseProducer(s, input),
    );
  }

  @SubscribeMessage('resumeProducer')
  resumeProducer(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'resumeProducer', producerRefSchema, body, (input) =>
      this.signalling.resumeProducer(s, input),
    );
  }

  @SubscribeMessage('closeProducer')
  closeProducer(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'closeProducer', producerRefSchema, body, (input) =>
      this.signalling.closeProducer(s, input),
    );
  }

  @SubscribeMessage('setPreferredLayers')
  setPreferredLayers(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'setPreferredLayers', setPreferredLayersSchema, body, (input) =>
      this.signalling.setPreferredLayers(s, input),
    );
  }

  @SubscribeMessage('getConsumerStats')
  getConsumerStats(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'getConsumerStats', consumerRefSchema, body, (input) =>
      this.signalling.getConsumerStats(s, input),
    );
  }

  @SubscribeMessage('moderatorMute')
  moderatorMute(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'moderatorMute', moderatorMuteSchema, body, (input) =>
      this.signalling.moderatorMute(s, input),
    );
  }

  @SubscribeMessage('moderatorRemove')
  moderatorRemove(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'moderatorRemove', moderatorRemoveSchema, body, (input) =>
      this.signalling.moderatorRemove(s, input),
    );
  }

  @SubscribeMessage('leave')
  leave(@ConnectedSocket() s: MediaSocket, @MessageBody() body: unknown) {
    return this.run(s, 'leave', leaveSchema, body, () => this.signalling.leave(s));
  }

  /**
   * The socket's rate limit, validation, then the service call; every outcome
   * becomes an acknowledgement (one place).
   */
  private run<I, O>(
    socket: MediaSocket,
    name: string,
    schema: StandardSchemaV1<unknown, I>,
    body: unknown,
    handler: (input: I) => Promise<O>,
  ): Promise<WsAck<O>> {
    return wsAck(this.logger, `media ${name}`, () => {
      if (!this.bucketOf(socket).take()) {
        throw new AppError('rate_limited', 'Too many signalling requests: slow down', 429);
      }
      return handler(parseWith(schema, body));
    });
  }

  private bucketOf(socket: MediaSocket): TokenBucket {
    let bucket = this.buckets.get(socket);
    if (!bucket) {
      const rate = this.config.MEDIA_SIGNALLING_MAX_PER_SECOND;
      bucket = new TokenBucket(rate, rate * 2);
      this.buckets.set(socket, bucket);
    }
    return bucket;
  }

  private async authenticate(socket: MediaSocket): Promise<void> {
    const headers = socket.handshake.headers;
    if (!handshakeOriginAllowed(headers.origin, this.origins)) {
      throw new HandshakeRefused(
        'origin_not_allowed',
        'Cross-site connection refused (Origin check)',
      );
    }
    const token = parseCookieHeader(headers.cookie).get(sessionCookieName(this.config)) ?? null;
    const principal = token ? await this.sessions.resolve(token) : null;
    socket.data = {
      principal,
      sessionToken: principal ? token : null,
      sessionCheckedAt: Date.now(),
    };
  }
}
