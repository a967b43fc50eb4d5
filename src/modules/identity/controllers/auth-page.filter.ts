import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../../../common/errors/all-exceptions.filter';
import { toErrorBody } from '../../../common/errors/error-response';
import { escapeHtml, htmlPage } from '../pages/html';

/**
 * Login and logout are browser navigations: a browser gets a readable page
 * (with a way to start again), an API client the usual JSON error.
 */
@Catch()
export class AuthPageFilter implements ExceptionFilter {
  private readonly logger = new Logger('Auth');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (!/text\/html/.test(request.headers.accept ?? '')) {
      sendError(reply, request, exception, this.logger);
      return;
    }
    const { status, body, unexpected } = toErrorBody(exception);
    if (unexpected)
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    if (reply.sent) return;
    void reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        htmlPage(
          'Connexion impossible',
          `<h1>Connexion impossible</h1>
          <p class="error">${escapeHtml(body.message)}</p>
          <p><small>Code : <code>${escapeHtml(body.code)}</code> · Référence : <code>${escapeHtml(String(request.id))}</code></small></p>
          <p><a class="button" href="/api/v1/auth/login">Réessayer</a> <a href="/">Accueil</a></p>`,
        ),
      );
  }
}
