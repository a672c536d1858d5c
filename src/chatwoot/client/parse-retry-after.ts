/**
 * Milliseconds to wait according to a `Retry-After` header, or `undefined` when it is absent or
 * unreadable. Chatwoot's own 429 (rack-attack's default responder) sends no Retry-After; proxies
 * and Chatwoot Cloud's edge may.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after (delay-seconds or an HTTP-date)
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only the IMF-fixdate family is an HTTP-date; anything else Date.parse might accept is ignored.
  if (!/^[A-Za-z]{3},? /.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
