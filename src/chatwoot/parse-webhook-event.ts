import type { z } from 'zod';

import { AppError } from '../errors/app-error.ts';
import {
  anyEventSchema,
  conversationEventSchema,
  messageEventSchema,
  widgetEventSchema,
  type ParsedWebhookEvent,
} from './webhook-schemas.ts';

/**
 * Turns an already JSON-decoded body into one of the events we handle. A known event with a
 * broken shape is a 400 (`invalid_payload`) listing every problem; an unknown event name is
 * accepted as `other` so Chatwoot's future events are recorded, not refused.
 */
export function parseWebhookEvent(body: unknown): ParsedWebhookEvent {
  const envelope = anyEventSchema.safeParse(body);
  if (!envelope.success) throw invalid(envelope.error);
  const name = envelope.data.event;
  if (name === 'message_created' || name === 'message_updated') {
    const parsed = messageEventSchema.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    return { kind: 'message', event: parsed.data };
  }
  if (name.startsWith('conversation_') && conversationEventSchema.shape.event.safeParse(name).success) {
    const parsed = conversationEventSchema.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    return { kind: 'conversation', event: parsed.data };
  }
  if (name === 'webwidget_triggered') {
    const parsed = widgetEventSchema.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    return { kind: 'widget', event: parsed.data };
  }
  return { kind: 'other', event: envelope.data };
}

function invalid(error: z.ZodError): AppError {
  const problems = error.issues.map(
    (issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`,
  );
  return new AppError('invalid_payload', {
    message: `Webhook payload rejected: ${problems.slice(0, 10).join('; ')}`,
    details: { problems },
  });
}
