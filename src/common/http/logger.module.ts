import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../../config/app-config';
import { correlationIdOf } from './correlation-id';

/** Paths whose value must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.client_secret',
  '*.token',
  '*.access_token',
  '*.id_token',
  '*.refresh_token',
  '*.code',
];

/**
 * nestjs-pino: one JSON line per request with its correlation id. Query
 * strings are dropped from logged URLs: OIDC callbacks carry codes and states
 * there, calendar feeds carry tokens in the path and are masked.
 */
export const LoggerModule = PinoLoggerModule.forRootAsync({
  inject: [AppConfig],
  useFactory: (config: AppConfig) => ({
    pinoHttp: {
      level: config.LOG_LEVEL,
      genReqId: (req: IncomingMessage) => correlationIdOf(req),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      customProps: (req: IncomingMessage) => ({ correlationId: correlationIdOf(req) }),
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: safeUrl(req.url),
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  }),
});

/** The path only, with long opaque segments (feed tokens) masked. */
export function safeUrl(url: string | undefined): string {
  const path = (url ?? '').split('?')[0];
  return path.replace(/\/[A-Za-z0-9_-]{32,}(?=\/|\.ics|$)/g, '/[redacted]');
}
