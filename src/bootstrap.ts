import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { correlationIdOf } from './common/http/correlation-id';
import { configureApp } from './configure-app';

/** Builds the configured (not yet listening) application. Shared by main.ts and tests. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: config.TRUST_PROXY,
    genReqId: (req: IncomingMessage) => correlationIdOf(req),
    bodyLimit: 1024 * 1024,
    // Fastify's own routing errors (a malformed URL) in the house error shape.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply
        .status(400)
        .header('x-request-id', String(request.id))
        .send({ code: 'malformed_url', message: error.message, correlationId: String(request.id) });
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    adapter,
    {
      bufferLogs: true,
    },
  );
  await configureApp(app);
  return app;
}
