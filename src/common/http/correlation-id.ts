import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's correlation id: the caller's `X-Request-Id` when it is sane,
 * else a fresh uuid. Computed once per request by Fastify (genReqId) and
 * reused by the logger, the error body and the response header.
 */
export function correlationIdOf(req: IncomingMessage): string {
  const cached = (req as IncomingMessage & { correlationId?: string }).correlationId;
  if (cached) return cached;
  const header = req.headers['x-request-id'];
  const candidate = Array.isArray(header) ? header[0] : header;
  const id = candidate && ACCEPTED.test(candidate) ? candidate : randomUUID();
  (req as IncomingMessage & { correlationId?: string }).correlationId = id;
  return id;
}
