import type { EventClassification } from '../chatwoot/classify-webhook-event.ts';
import type { ParsedWebhookEvent, WebhookConversation } from '../chatwoot/webhook-schemas.ts';
import type { TranscriptRole } from '../pipeline/responder.ts';

/** The parts of any webhook that ingress stores, pulled out of the payload shapes in one place. */
export interface WebhookFacts {
  readonly accountId: number | null;
  readonly conversation: WebhookConversation | null;
  readonly contact: {
    readonly id: number;
    readonly name?: string | null;
    readonly email?: string | null;
    readonly phone_number?: string | null;
    readonly identifier?: string | null;
  } | null;
  readonly message: {
    readonly id: number;
    readonly role: TranscriptRole;
    readonly content: string | null;
    readonly contentType: string;
    readonly isPrivate: boolean;
    readonly senderType: string | null;
    readonly senderId: number | null;
    readonly attachments: unknown[];
    readonly sentAt: Date;
  } | null;
}

const ROLE_BY_CLASSIFICATION: Partial<Record<EventClassification, TranscriptRole>> = {
  customer_message: 'customer',
  bot_echo: 'bot',
  human_reply: 'human',
  private_note: 'note',
  template_message: 'template',
};

export function extractWebhookFacts(
  parsed: ParsedWebhookEvent,
  classification: EventClassification,
  now: Date,
): WebhookFacts {
  switch (parsed.kind) {
    case 'message': {
      const event = parsed.event;
      const role = ROLE_BY_CLASSIFICATION[classification];
      const sender = event.conversation.meta?.sender ?? null;
      return {
        accountId: event.account.id,
        conversation: event.conversation,
        contact: sender,
        message: role
          ? {
              id: event.id,
              role,
              content: event.content?.replaceAll('\u0000', '') ?? null,
              contentType: event.content_type ?? 'text',
              isPrivate: event.private,
              senderType: event.sender?.type ?? (event.message_type === 'incoming' ? 'contact' : null),
              senderId: event.sender?.id ?? null,
              attachments: event.attachments ?? [],
              sentAt: parseMessageTime(event.created_at, now),
            }
          : null,
      };
    }
    case 'conversation':
      return {
        accountId: parsed.event.account.id,
        conversation: parsed.event,
        contact: parsed.event.meta?.sender ?? null,
        message: null,
      };
    case 'widget':
      return {
        accountId: parsed.event.account?.id ?? null,
        conversation: null,
        contact: null,
        message: null,
      };
    case 'other':
      return { accountId: null, conversation: null, contact: null, message: null };
  }
}

/** Webhook messages carry ISO strings; other shapes carry unix seconds. */
function parseMessageTime(value: string | number, fallback: Date): Date {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? fallback : date;
}

export function assigneeTypeOf(conversation: WebhookConversation): 'user' | 'agent_bot' | null {
  const meta = conversation.meta;
  const type = meta?.assignee?.type ?? meta?.assignee_type ?? null;
  if (type === null) return null;
  const normalised = type.toLowerCase();
  if (normalised === 'user') return 'user';
  if (normalised === 'agent_bot' || normalised === 'agentbot') return 'agent_bot';
  return null;
}
