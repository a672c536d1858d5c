import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureFailure =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'malformed_signature'
  | 'malformed_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'signature_mismatch';

export type SignatureVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: SignatureFailure };

export interface VerifySignatureInput {
  readonly rawBody: Buffer;
  readonly signatureHeader: string | undefined;
  readonly timestampHeader: string | undefined;
  readonly secret: string;
  readonly nowSeconds: number;
  readonly toleranceSeconds: number;
}

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/i;

/**
 * Chatwoot ≥ 4.13 signs `"<X-Chatwoot-Timestamp>.<raw body>"` with HMAC-SHA256 and sends
 * `X-Chatwoot-Signature: sha256=<hex>` (lib/webhooks/trigger.rb). The comparison is constant-time
 * and the timestamp must lie within ±tolerance so a captured delivery cannot be replayed later.
 */
export function verifyWebhookSignature(input: VerifySignatureInput): SignatureVerdict {
  if (!input.signatureHeader) return { ok: false, reason: 'missing_signature' };
  if (!input.timestampHeader) return { ok: false, reason: 'missing_timestamp' };
  const match = SIGNATURE_FORMAT.exec(input.signatureHeader.trim());
  if (!match?.[1]) return { ok: false, reason: 'malformed_signature' };
  const timestampText = input.timestampHeader.trim();
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: 'malformed_timestamp' };

  const timestamp = Number(timestampText);
  if (input.nowSeconds - timestamp > input.toleranceSeconds) return { ok: false, reason: 'stale_timestamp' };
  if (timestamp - input.nowSeconds > input.toleranceSeconds) return { ok: false, reason: 'future_timestamp' };

  const expected = computeSignatureDigest(input.secret, timestampText, input.rawBody);
  const received = Buffer.from(match[1].toLowerCase(), 'hex');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'signature_mismatch' };
  }
  return { ok: true };
}

export function computeSignatureDigest(secret: string, timestamp: string, rawBody: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The header value Chatwoot would send; used by the simulator, tests and benchmarks. */
export function signWebhookBody(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `sha256=${computeSignatureDigest(secret, timestamp, rawBody).toString('hex')}`;
}
