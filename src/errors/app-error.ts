/**
 * Expected failures carry a stable code; `http/error-handler.ts` maps codes to statuses in one place.
 *
 * Codes:
 * - `invalid_signature`   webhook signature missing, malformed, stale or wrong (401)
 * - `invalid_payload`     request body is not the JSON shape we accept (400)
 * - `payload_too_large`   body over the configured limit (413)
 * - `unsupported_media`   content type other than JSON (415)
 * - `unknown_connection`  webhook path names a connection we do not serve (404)
 * - `unauthorized`        admin token missing or wrong (401)
 * - `not_found`           resource does not exist (404)
 * - `invalid_config`      configuration failed validation (startup)
 * - `database_locked`     another process holds the embedded database (startup)
 * - `pgvector_missing`    the PostgreSQL server lacks the vector extension (startup)
 * - `unavailable`         a dependency (database, queue) does not answer (503)
 */
export type AppErrorCode =
  | 'invalid_signature'
  | 'invalid_payload'
  | 'payload_too_large'
  | 'unsupported_media'
  | 'unknown_connection'
  | 'unauthorized'
  | 'not_found'
  | 'invalid_config'
  | 'database_locked'
  | 'pgvector_missing'
  | 'unavailable';

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: AppErrorCode,
    options: { message: string; cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(options.message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }
}

export function isAppError(error: unknown, code?: AppErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
