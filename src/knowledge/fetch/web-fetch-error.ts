/**
 * A request the safe fetch made (or tried to make) that failed.
 *
 * Kinds:
 * - `dns`                 the host name did not resolve (retryable: resolvers fail transiently)
 * - `network`             connection refused/reset, TLS failure (retryable)
 * - `timeout`             the whole request, redirects included, took longer than allowed (retryable)
 * - `aborted`             the caller's signal aborted it
 * - `too_large`           the body is over the size limit
 * - `too_many_redirects`  more redirect hops than allowed
 * - `http_status`         a non-2xx answer where one was required (retryable for 408, 429 and 5xx)
 * - `unsupported_content` a content type we cannot extract
 */
export type WebFetchErrorKind =
  | 'dns'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'too_large'
  | 'too_many_redirects'
  | 'http_status'
  | 'unsupported_content';

export class WebFetchError extends Error {
  readonly kind: WebFetchErrorKind;
  readonly url: string;
  readonly status: number | undefined;
  readonly isRetryable: boolean;

  constructor(
    kind: WebFetchErrorKind,
    options: { url: string; message: string; status?: number; cause?: unknown; isRetryable?: boolean },
  ) {
    super(options.message, { cause: options.cause });
    this.name = 'WebFetchError';
    this.kind = kind;
    this.url = options.url;
    this.status = options.status;
    this.isRetryable = options.isRetryable ?? defaultRetryable(kind, options.status);
  }
}

function defaultRetryable(kind: WebFetchErrorKind, status: number | undefined): boolean {
  if (kind === 'dns' || kind === 'network' || kind === 'timeout') return true;
  if (kind === 'http_status' && status !== undefined)
    return status === 408 || status === 429 || status >= 500;
  return false;
}

export function isWebFetchError(error: unknown, kind?: WebFetchErrorKind): error is WebFetchError {
  return error instanceof WebFetchError && (kind === undefined || error.kind === kind);
}
