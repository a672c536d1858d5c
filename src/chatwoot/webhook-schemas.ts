import { z } from 'zod';

/**
 * Zod schemas for the webhook payloads Chatwoot sends to an agent bot (chatwoot-contract.md §2).
 * Strict on the fields we use, tolerant of everything Chatwoot adds (`z.object` strips what it does
 * not declare instead of refusing it), so a new Chatwoot release does not break ingress. Nothing is
 * lost: the raw body is stored as received. Stripped rather than copied (`looseObject`): the parse
 * then walks only the declared fields of a body of a few kilobytes.
 */
const id = z.number().int().nonnegative();

export const conversationStatusSchema = z.enum(['open', 'resolved', 'pending', 'snoozed']);
export type ConversationStatus = z.infer<typeof conversationStatusSchema>;

const contactSchema = z.object({
  id,
  name: z.string().nullish(),
  email: z.string().nullish(),
  phone_number: z.string().nullish(),
  identifier: z.string().nullish(),
});

const assigneeSchema = z.object({ id, type: z.string().nullish() });

export const conversationSchema = z.object({
  id,
  inbox_id: id,
  status: conversationStatusSchema,
  labels: z.array(z.string()).nullish(),
  meta: z
    .looseObject({
      sender: contactSchema.nullish(),
      assignee: assigneeSchema.nullish(),
      assignee_type: z.string().nullish(),
      team: z.object({ id }).nullish(),
    })
    .nullish(),
  contact_inbox: z.object({ contact_id: id.nullish() }).nullish(),
  updated_at: z.number().nullish(),
});
export type WebhookConversation = z.infer<typeof conversationSchema>;

const accountSchema = z.object({ id, name: z.string().nullish() });

export const messageEventSchema = z.object({
  event: z.enum(['message_created', 'message_updated']),
  id,
  content: z.string().nullish(),
  content_type: z.string().nullish(),
  message_type: z.enum(['incoming', 'outgoing', 'activity', 'template']),
  private: z.boolean(),
  created_at: z.union([z.string(), z.number()]),
  sender: z
    .looseObject({ id: id.nullish(), name: z.string().nullish(), type: z.string().nullish() })
    .nullish(),
  account: accountSchema,
  inbox: z.object({ id }).nullish(),
  conversation: conversationSchema,
  attachments: z.array(z.unknown()).nullish(),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

const changedAttributesSchema = z
  .array(z.record(z.string(), z.object({ previous_value: z.unknown(), current_value: z.unknown() })))
  .nullish();

export const conversationEventSchema = conversationSchema.extend({
  event: z.enum([
    'conversation_created',
    'conversation_opened',
    'conversation_resolved',
    'conversation_status_changed',
    'conversation_updated',
  ]),
  account: accountSchema,
  changed_attributes: changedAttributesSchema,
});
export type ConversationEvent = z.infer<typeof conversationEventSchema>;

export const widgetEventSchema = z.object({
  event: z.literal('webwidget_triggered'),
  id: id.nullish(),
  contact: contactSchema.nullish(),
  inbox: z.object({ id }).nullish(),
  account: accountSchema.nullish(),
  current_conversation: conversationSchema.nullish(),
});
export type WidgetEvent = z.infer<typeof widgetEventSchema>;

/** Any JSON object naming an event; events we do not handle are recorded and ignored. */
export const anyEventSchema = z.object({ event: z.string().min(1, 'expected a non-empty event name') });

export type ParsedWebhookEvent =
  | { readonly kind: 'message'; readonly event: MessageEvent }
  | { readonly kind: 'conversation'; readonly event: ConversationEvent }
  | { readonly kind: 'widget'; readonly event: WidgetEvent }
  | { readonly kind: 'other'; readonly event: z.infer<typeof anyEventSchema> };
