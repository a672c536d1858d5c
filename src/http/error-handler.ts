import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { isAppError, type AppErrorCode } from '../errors/app-error.ts';

const STATUS_BY_CODE: Record<AppErrorCode, number> = {
  invalid_signature: 401,
  invalid_payload: 400,
  payload_too_large: 413,
  unsupported_media: 415,
  unknown_connection: 404,
  unauthorized: 401,
  not_found: 404,
  invalid_config: 500,
  database_locked: 503,
  pgvector_missing: 503,
  unavailable: 503,
};

/**
 * The one place that decides what callers see: AppError codes map to statuses; Fastify's own
 * 4xx (body too large, bad media type) keep their status; every 5xx body is generic.
 */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (isAppError(error)) {
    const status = STATUS_BY_CODE[error.code];
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply
      .status(status)
      .send({ error: error.code, message: status >= 500 ? 'Internal error' : error.message });
    return;
  }
  const statusCode = (error as FastifyError).statusCode;
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    request.log.warn({ code: (error as FastifyError).code, statusCode }, error.message);
    const code =
      statusCode === 413 ? 'payload_too_large' : statusCode === 415 ? 'unsupported_media' : 'bad_request';
    void reply.status(statusCode).send({ error: code, message: error.message });
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(500).send({ error: 'internal_error', message: 'Internal error' });
}
