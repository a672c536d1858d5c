/**
 * A URL the safe fetch refuses to request, before any connection is made.
 *
 * Reasons:
 * - `invalid_url`           not a parseable absolute URL
 * - `unsupported_protocol`  anything but http: and https:
 * - `credentials_in_url`    `user:password@host` URLs (they would leak the credentials into logs and redirects)
 * - `blocked_address`       the host is, or resolves to, an address outside the public internet (private,
 *                           loopback, link-local, unique-local, CGNAT, multicast, unspecified, reserved, …)
 */
export type UnsafeUrlReason =
  'invalid_url' | 'unsupported_protocol' | 'credentials_in_url' | 'blocked_address';

export class UnsafeUrlError extends Error {
  readonly reason: UnsafeUrlReason;
  readonly url: string;
  /** The offending address and its range, for `blocked_address`. */
  readonly address: string | undefined;
  readonly range: string | undefined;

  constructor(
    reason: UnsafeUrlReason,
    options: { url: string; message: string; address?: string; range?: string },
  ) {
    super(options.message);
    this.name = 'UnsafeUrlError';
    this.reason = reason;
    this.url = options.url;
    this.address = options.address;
    this.range = options.range;
  }
}

export function isUnsafeUrlError(error: unknown, reason?: UnsafeUrlReason): error is UnsafeUrlError {
  return error instanceof UnsafeUrlError && (reason === undefined || error.reason === reason);
}
