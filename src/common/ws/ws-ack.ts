import type { Logger } from '@nestjs/common';
import type { ErrorBody } from '../errors/error-response';
import { toErrorBody } from '../errors/error-response';

/** The acknowledgement of every socket request: data, or an error in the REST error shape. */
export type WsAck<T> =
  { ok: true; data: T } | { ok: false; error: Omit<ErrorBody, 'correlationId'> };

/**
 * Runs one socket request and maps its outcome to an acknowledgement: the
 * websocket counterpart of the global HTTP exception filter (AppError →
 * `{ code, message, details }`; anything else → `internal_error`, logged).
 */
export async function wsAck<T>(
  logger: Logger,
  what: string,
  run: () => Promise<T>,
): Promise<WsAck<T>> {
  try {
    return { ok: true, data: await run() };
  } catch (e) {
    return { ok: false, error: wsErrorBody(e, logger, what) };
  }
}

export function wsErrorBody(
  e: unknown,
  logger: Logger,
  what: string,
): Omit<ErrorBody, 'correlationId'> {
  const { body, unexpected } = toErrorBody(e);
  if (unexpected)
    logger.error(`${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return body.details === undefined
    ? { code: body.code, message: body.message }
    : { code: body.code, message: body.message, details: body.details };
}
