/**
 * Why a source could not be turned into an `ExtractedDocument`.
 *
 * Reasons:
 * - `unsupported_format`     the extension or content type is not one we parse
 * - `faq_columns_not_found`  a CSV/XLSX table has no recognisable question and answer columns
 * - `empty_document`         the source parsed but holds no text (e.g. a scanned PDF without OCR)
 * - `parse_failed`           the parser rejected the bytes (corrupt file, wrong format)
 * - `read_failed`            the file could not be read
 * - `too_large`              the source is over the configured size limit
 */
export type ExtractionErrorReason =
  | 'unsupported_format'
  | 'faq_columns_not_found'
  | 'empty_document'
  | 'parse_failed'
  | 'read_failed'
  | 'too_large';

export class ExtractionError extends Error {
  readonly reason: ExtractionErrorReason;
  readonly sourceUri: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    reason: ExtractionErrorReason,
    options: { sourceUri: string; message: string; cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(`${options.sourceUri}: ${options.message}`, { cause: options.cause });
    this.name = 'ExtractionError';
    this.reason = reason;
    this.sourceUri = options.sourceUri;
    this.details = options.details;
  }
}

export function isExtractionError(error: unknown, reason?: ExtractionErrorReason): error is ExtractionError {
  return error instanceof ExtractionError && (reason === undefined || error.reason === reason);
}
