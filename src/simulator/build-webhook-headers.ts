import { signWebhookBody } from './sign-webhook-body.ts';

/**
 * Request headers of one delivery attempt (`Webhooks::Trigger#request_headers`): the delivery id
 * is fixed per event, the timestamp and signature are made fresh for every attempt.
 */
export function buildWebhookHeaders(input: {
  deliveryId: string;
  secret: string | null;
  body: string;
  nowMs: number;
}): { headers: Record<string, string>; timestamp: string | null; signature: string | null } {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'X-Chatwoot-Delivery': input.deliveryId,
  };
  if (!input.secret) return { headers, timestamp: null, signature: null };
  const timestamp = String(Math.floor(input.nowMs / 1000));
  const signature = signWebhookBody(input.secret, timestamp, input.body);
  headers['X-Chatwoot-Timestamp'] = timestamp;
  headers['X-Chatwoot-Signature'] = signature;
  return { headers, timestamp, signature };
}
