import type { SafeResponse } from './create-safe-fetch.ts';
import { WebFetchError } from './web-fetch-error.ts';

/** The media type without parameters, lower case (`text/html`), or '' when absent. */
export function contentTypeOf(response: Pick<SafeResponse, 'headers'>): string {
  return (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Throws a typed `http_status` error (retryable for 408, 429, 5xx) unless the answer is 2xx. */
export function assertOk(response: SafeResponse): SafeResponse {
  if (response.status >= 200 && response.status < 300) return response;
  throw new WebFetchError('http_status', {
    url: response.url,
    status: response.status,
    message: `${response.url} answered ${response.status}`,
  });
}

/**
 * The body as text: the charset from the Content-Type header, else (for HTML) from a `<meta charset>` in the first
 * kilobyte, else UTF-8. Unknown charset labels fall back to UTF-8 rather than failing the page.
 */
export function responseText(response: Pick<SafeResponse, 'headers' | 'body'>): string {
  const headerCharset = /charset\s*=\s*"?([\w.:-]+)/i.exec(response.headers['content-type'] ?? '')?.[1];
  const head = new TextDecoder('latin1').decode(response.body.subarray(0, 1024));
  const metaCharset = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
  for (const label of [headerCharset, metaCharset, 'utf-8']) {
    if (!label) continue;
    try {
      return new TextDecoder(label).decode(response.body);
    } catch {
      // Unknown label: try the next candidate.
    }
  }
  return new TextDecoder().decode(response.body);
}
