import type { ParsedWebhookEvent } from './webhook-schemas.ts';

export type EventClassification =
  | 'customer_message'
  | 'bot_echo'
  | 'human_reply'
  | 'private_note'
  | 'template_message'
  | 'status_change'
  | 'assignment_change'
  | 'widget_event'
  | 'other';

const BOT_SENDER_TYPES = new Set(['agent_bot', 'captain_assistant']);
const ASSIGNMENT_KEYS = ['assignee_id', 'team_id', 'assignee_agent_bot_id'];

/**
 * What an event means for us. Chatwoot's robust rule (contract §2.2): `message_type == "incoming"`
 * means the contact wrote it; otherwise the sender type tells bot from human.
 */
export function classifyWebhookEvent(parsed: ParsedWebhookEvent): EventClassification {
  switch (parsed.kind) {
    case 'message': {
      const message = parsed.event;
      if (message.event !== 'message_created') return 'other';
      if (message.message_type === 'incoming') return message.private ? 'other' : 'customer_message';
      if (message.message_type === 'template') return 'template_message';
      if (message.message_type !== 'outgoing') return 'other';
      if (message.private) return 'private_note';
      const senderType = message.sender?.type ?? null;
      if (senderType !== null && BOT_SENDER_TYPES.has(senderType)) return 'bot_echo';
      if (senderType === 'user') return 'human_reply';
      return 'other';
    }
    case 'conversation': {
      const event = parsed.event;
      if (
        event.event === 'conversation_status_changed' ||
        event.event === 'conversation_opened' ||
        event.event === 'conversation_resolved'
      ) {
        return 'status_change';
      }
      if (event.event === 'conversation_updated') {
        const changed = (event.changed_attributes ?? []).flatMap((entry) => Object.keys(entry));
        if (changed.some((key) => ASSIGNMENT_KEYS.includes(key))) return 'assignment_change';
        if (changed.includes('status')) return 'status_change';
      }
      return 'other';
    }
    case 'widget':
      return 'widget_event';
    case 'other':
      return 'other';
  }
}
