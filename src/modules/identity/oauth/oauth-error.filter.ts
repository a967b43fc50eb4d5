import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody } from '../../../common/errors/error-response';
import { OAuthError } from './oauth-error';

const ERROR_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'invalid_client',
  429: 'temporarily_unavailable',
};

/**
 * Token endpoint errors in RFC 6749 shape (`error`, `error_description`)
 * next to the service's own `code`, `message` and `correlationId`.
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OAuth');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, unexpected } = toErrorBody(exception);
    if (unexpected)
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    const error =
      exception instanceof OAuthError
        ? exception.error
        : (ERROR_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request'));
    if (status === 401) reply.header('www-authenticate', 'Basic realm="visio"');
    void reply
      .status(status)
      .header('cache-control', 'no-store')
      .header('content-type', 'application/json; charset=utf-8')
      .send({ error, error_description: body.message, ...body, correlationId: String(request.id) });
  }
}
