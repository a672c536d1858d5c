import { z } from 'zod';

/**
 * Minimal, lenient response schemas: only what callers read, every field `.nullish()` unless the
 * call is useless without it, and loose objects so new Chatwoot fields pass through. Shapes follow
 * Chatwoot 4.15's jbuilder views (docs/chatwoot-contract.md §3.3–3.5), keeping Chatwoot's names.
 */
const attributes = z.record(z.string(), z.unknown());
const idOrText = z.union([z.number(), z.string()]);

/** `app/views/api/v1/models/_message.json.jbuilder`: integer `message_type`, unix `created_at`. */
export const messageSchema = z.looseObject({
  id: z.number(),
  content: z.string().nullish(),
  message_type: idOrText.nullish(),
  content_type: z.string().nullish(),
  content_attributes: z.unknown().nullish(),
  private: z.boolean().nullish(),
  status: z.string().nullish(),
  echo_id: z.string().nullish(),
  source_id: z.string().nullish(),
  conversation_id: z.number().nullish(),
  inbox_id: z.number().nullish(),
  created_at: idOrText.nullish(),
  sender: z
    .looseObject({ id: z.number().nullish(), name: z.string().nullish(), type: z.string().nullish() })
    .nullish(),
});
export type ChatwootMessage = z.output<typeof messageSchema>;

const assigneeSchema = z.looseObject({
  id: z.number().nullish(),
  name: z.string().nullish(),
  type: z.string().nullish(),
});

/** `app/views/api/v1/conversations/partials/_conversation.json.jbuilder` (no message list). */
export const conversationSchema = z.looseObject({
  id: z.number(),
  account_id: z.number().nullish(),
  inbox_id: z.number().nullish(),
  status: z.string().nullish(),
  priority: z.string().nullish(),
  labels: z.array(z.string()).nullish(),
  custom_attributes: attributes.nullish(),
  additional_attributes: attributes.nullish(),
  snoozed_until: idOrText.nullish(),
  can_reply: z.boolean().nullish(),
  muted: z.boolean().nullish(),
  meta: z
    .looseObject({
      sender: z.looseObject({ id: z.number().nullish() }).nullish(),
      assignee: assigneeSchema.nullish(),
      assignee_type: z.string().nullish(),
      team: z.looseObject({ id: z.number().nullish(), name: z.string().nullish() }).nullish(),
    })
    .nullish(),
});
export type ChatwootConversation = z.output<typeof conversationSchema>;

/** `toggle_status.json.jbuilder`. On the bot-handoff path `success` is null: a 200 is the success signal. */
export const toggleStatusSchema = z
  .looseObject({
    payload: z
      .looseObject({
        success: z.boolean().nullish(),
        conversation_id: z.number().nullish(),
        current_status: z.string().nullish(),
        snoozed_until: idOrText.nullish(),
      })
      .nullish(),
  })
  .nullish();

/** `GET`/`POST …/labels` both answer `{"payload":[…]}`. */
export const labelsSchema = z.looseObject({ payload: z.array(z.string()).nullish() });

export const customAttributesSchema = z.looseObject({ custom_attributes: attributes.nullish() }).nullish();

/** Assignments answer with the agent, the bot or the team JSON, or nothing when unassigning. */
export const assignmentSchema = z.looseObject({ id: z.number().nullish() }).nullish();

/** toggle_priority and toggle_typing_status answer 200 with an empty body. */
export const emptySchema = z.unknown();

/** `GET …/messages` (user token): `{meta:{…}, payload:[message…]}`. */
export const messageListSchema = z.looseObject({
  meta: z.looseObject({ labels: z.array(z.string()).nullish(), contact: z.unknown().nullish() }).nullish(),
  payload: z.array(messageSchema).nullish(),
});

export const contactSchema = z.looseObject({
  id: z.number(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  phone_number: z.string().nullish(),
  identifier: z.string().nullish(),
  thumbnail: z.string().nullish(),
  blocked: z.boolean().nullish(),
  additional_attributes: attributes.nullish(),
  custom_attributes: attributes.nullish(),
});
export type ChatwootContact = z.output<typeof contactSchema>;

/** `GET /contacts/{id}` wraps the contact in `payload`; accept a bare contact too. */
export const contactShowSchema = z.union([
  z.looseObject({ payload: contactSchema }).transform((value) => value.payload),
  contactSchema,
]);
