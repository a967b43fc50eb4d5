import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody } from './error-response';

/** Every HTTP failure leaves in one shape: `{ code, message, correlationId, details? }`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    sendError(reply, request, exception, this.logger);
  }
}

export function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  exception: unknown,
  logger: Logger,
): void {
  const { status, body, unexpected } = toErrorBody(exception);
  if (unexpected)
    logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
  if (reply.sent) return;
  void reply
    .status(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ ...body, correlationId: String(request.id) });
}
