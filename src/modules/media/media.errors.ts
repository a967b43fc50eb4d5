import { AppError } from '../../common/errors/app-error';

/** Errors of the media module; signalling maps them to socket replies by `code`. */
export class MediaError extends AppError {
  static unavailable(message: string, details?: unknown): MediaError {
    return new MediaError('media_unavailable', message, 503, details);
  }
  static unknown(what: string, id: string): MediaError {
    return new MediaError(`media_${what}_not_found`, `No ${what.replace(/_/g, ' ')} ${id}`, 404);
  }
  static closed(what: string): MediaError {
    return new MediaError(`media_${what}_closed`, `The ${what} is closed`, 409);
  }
  static cannotConsume(producerId: string): MediaError {
    return new MediaError(
      'media_cannot_consume',
      `These RTP capabilities cannot consume producer ${producerId}`,
      400,
    );
  }
}

/**
 * The room is hosted by another live node: not a failure, a redirect. The
 * signalling layer sends the peer to `nodeUrl`.
 */
export class MediaRoomElsewhereError extends AppError {
  constructor(
    readonly roomId: string,
    readonly nodeId: string,
    readonly nodeUrl: string,
  ) {
    super('media_room_elsewhere', `Room ${roomId} is hosted by node ${nodeId}`, 409, {
      nodeId,
      nodeUrl,
    });
  }
}
