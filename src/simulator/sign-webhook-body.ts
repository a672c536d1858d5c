import { createHmac } from 'node:crypto';

/**
 * Chatwoot's `Webhooks::Trigger` signature: `sha256=` + hex HMAC-SHA256(secret, "<ts>.<body>")
 * over the exact body bytes sent (contract §1.3).
 */
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
