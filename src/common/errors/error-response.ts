import { HttpException } from '@nestjs/common';
import { AppError } from './app-error';

/** The one error shape of the API (REST, and websocket acknowledgements). */
export interface ErrorBody {
  code: string;
  message: string;
  correlationId?: string;
  details?: unknown;
}

const PG_ERRORS: Record<string, [number, string, string]> = {
  '23505': [409, 'conflict', 'This conflicts with an existing record'],
  '23P01': [409, 'conflict', 'This conflicts with an existing record'],
  '23503': [400, 'invalid_reference', 'A referenced record does not exist'],
  '23514': [400, 'constraint_violation', 'A value breaks a rule of the data model'],
  '23502': [400, 'missing_value', 'A required value is missing'],
  '22P02': [400, 'invalid_input', 'A value has the wrong format'],
  '22001': [400, 'value_too_long', 'A value is too long'],
  '22007': [400, 'invalid_input', 'A value has the wrong format'],
  '22008': [400, 'invalid_input', 'A date or time is out of range'],
};

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
};

/**
 * Maps anything thrown to a status and an error body. Unknown errors become
 * 500 `internal_error` with a generic message: details go to the log only.
 */
export function toErrorBody(err: unknown): {
  status: number;
  body: ErrorBody;
  unexpected: boolean;
} {
  if (err instanceof AppError) {
    return {
      status: err.status,
      body: { code: err.code, message: err.message, details: err.details },
      unexpected: false,
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    const message =
      typeof res === 'string'
        ? res
        : typeof (res as any)?.message === 'string'
          ? (res as any).message
          : err.message;
    // Terminus: keep the per-dependency report of a failed readiness check.
    if (status === 503 && typeof res === 'object' && (res as any)?.details) {
      return {
        status,
        body: {
          code: 'not_ready',
          message: 'A dependency is unavailable',
          details: (res as any).details,
        },
        unexpected: false,
      };
    }
    // Nest's JSON body parser reports malformed JSON as a plain 400.
    const code =
      status === 400 && /valid JSON/i.test(message)
        ? 'malformed_json'
        : (HTTP_CODES[status] ?? `http_${status}`);
    return { status, body: { code, message }, unexpected: status >= 500 };
  }
  const e = err as {
    code?: unknown;
    driverError?: { code?: string };
    statusCode?: unknown;
    message?: string;
  };
  const pgCode = e?.driverError?.code ?? (typeof e?.code === 'string' ? e.code : undefined);
  if (pgCode && PG_ERRORS[pgCode]) {
    const [status, code, message] = PG_ERRORS[pgCode];
    return { status, body: { code, message }, unexpected: false };
  }
  // Fastify's own errors (malformed JSON, body too large, bad content type).
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const status = e.statusCode;
    const code =
      e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/i.test(String(e.message))
        ? 'malformed_json'
        : (HTTP_CODES[status] ?? `http_${status}`);
    return {
      status,
      body: { code, message: String(e.message ?? 'Bad request') },
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: { code: 'internal_error', message: 'Something went wrong on our side' },
    unexpected: true,
  };
}
