import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { signWebhookBody } from '../../src/chatwoot/verify-webhook-signature.ts';

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../fixtures/chatwoot/webhooks');

export function loadFixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8'));
}

export interface SignedRequestOptions {
  secret?: string;
  timestamp?: number;
  deliveryId?: string | null;
  contentType?: string;
}

/**
 * Headers and body exactly as Chatwoot's Webhooks::Trigger would send them. A Buffer is sent (and
 * signed) byte for byte, for bodies that are not valid UTF-8.
 */
export function signedRequest(
  body: Buffer,
  options?: SignedRequestOptions,
): { headers: Record<string, string>; payload: Buffer };
export function signedRequest(
  body: unknown,
  options?: SignedRequestOptions,
): { headers: Record<string, string>; payload: string };
export function signedRequest(body: unknown, options: SignedRequestOptions = {}) {
  const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    accept: 'application/json',
  };
  if (options.deliveryId !== null) headers['x-chatwoot-delivery'] = options.deliveryId ?? randomUUID();
  if (options.secret) {
    headers['x-chatwoot-timestamp'] = timestamp;
    headers['x-chatwoot-signature'] = signWebhookBody(options.secret, timestamp, raw);
  }
  return { headers, payload: raw };
}
