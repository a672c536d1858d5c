/**
 * The Chatwoot help centre could not be read as a whole (single pages that fail are listed, not thrown).
 *
 * Reasons:
 * - `portal_not_found`   the portal slug (or account) does not exist, or the portal is archived
 * - `unauthorized`       the API token was refused (401/403)
 * - `invalid_response`   Chatwoot answered with a shape we do not understand (version mismatch, proxy page)
 */
export type ChatwootPortalErrorReason = 'portal_not_found' | 'unauthorized' | 'invalid_response';

export class ChatwootPortalError extends Error {
  readonly reason: ChatwootPortalErrorReason;
  readonly url: string;

  constructor(reason: ChatwootPortalErrorReason, options: { url: string; message: string; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.name = 'ChatwootPortalError';
    this.reason = reason;
    this.url = options.url;
  }
}
