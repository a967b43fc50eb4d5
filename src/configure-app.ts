import helmet from '@fastify/helmet';
import cookie from '@fastify/cookie';
import { VersioningType, type INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { RedisIoAdapter } from './common/ws/redis-io.adapter';
import { validationPipe } from './common/http/validation';
import { AppConfig } from './config/app-config';

/** Paths served outside /api/v1 (health probes, the web client, OIDC provider). */
export const UNPREFIXED = [
  'health/{*path}',
  'r',
  'r/{*path}',
  'assets/{*path}',
  'oidc/{*path}',
  'dev/{*path}',
];

/**
 * Everything that makes the app behave like production: used by main.ts and
 * by every e2e test, so tests exercise what runs.
 */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  // Every response carries the correlation id, errors and 404s included.
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
  });

  const https = config.PUBLIC_URL.startsWith('https:');
  await app.register(cookie as any);
  await app.register(helmet as any, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Swagger UI ships inline styles; the web client uses none.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        mediaSrc: ["'self'", 'blob:'],
        formAction: null,
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    hsts: https,
    crossOriginEmbedderPolicy: false,
  });
  const allowed = new Set([new URL(config.PUBLIC_URL).origin, ...config.CORS_ORIGINS]);
  app.enableCors({
    origin: (origin, done) => done(null, !origin || allowed.has(origin)),
    credentials: true,
  });

  app.setGlobalPrefix('api', { exclude: UNPREFIXED });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  // socket.io across API nodes (events reach sockets on every node through Redis).
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));

  const document = buildOpenApi(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const options = new DocumentBuilder()
    .setTitle('Visio API')
    .setDescription('Sovereign video conferencing: identity, rooms, meetings, media, recordings.')
    .setVersion('1')
    .addCookieAuth('visio_session')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, options);
}
