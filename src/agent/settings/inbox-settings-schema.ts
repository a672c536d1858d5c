import { z } from 'zod';

import { MAX_RESPONDER_RUN_MS } from '../../pipeline/responder.ts';

/**
 * Per-inbox agent settings. Every field has a default, so `{}` parses to a complete, working
 * configuration; the database stores only overrides (a connection-wide default and per-inbox
 * documents) which are merged and parsed here. Objects are strict so a misspelt key is reported,
 * never silently ignored. A patch's `null` means "inherit again" (see merge-settings-patch.ts), so
 * fields never need an explicit null: "" and 0 mean "none" where that is meaningful. No secret belongs here: settings are shown in the console and parts of
 * them are written into prompts.
 */

const text = (max: number) => z.string().trim().max(max);
const label = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,49}$/, 'expected a Chatwoot label: letters, digits, "-" or "_" (max 50)');
const timeOfDay = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00–24:00)');
const interval = z
  .strictObject({ from: timeOfDay, to: timeOfDay })
  .refine((value) => value.from < value.to, { message: '"from" must be before "to"' });
const officeDay = [{ from: '09:00', to: '17:00' }];
const timeZone = z
  .string()
  .refine(isTimeZone, { message: 'expected an IANA time zone such as "Europe/Lisbon"' });
const nullableLimit = z.number().positive().nullable().default(null);

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const inboxSettingsSchema = z.strictObject({
  /** The bot answers in this inbox at all. */
  enabled: z.boolean().default(true),
  /** How the bot introduces itself. */
  name: text(80).min(1).default('Assistant'),
  persona: text(2000).default('A friendly, patient and concise customer support assistant.'),
  /** Free-form instructions from the admin (what the business does, how to behave). */
  instructions: text(8000).default(''),
  responseGuidelines: z.array(text(500).min(1)).max(50).default([]),
  guardrails: z
    .strictObject({
      refuseTopics: z.array(text(200).min(1)).max(50).default([]),
      neverPromise: z.array(text(200).min(1)).max(50).default([]),
    })
    .prefault({}),
  language: z
    .strictObject({
      answerInCustomerLanguage: z.boolean().default(true),
      defaultLanguage: z
        .string()
        .regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$/, 'expected a language code such as "en" or "pt-BR"')
        .default('en'),
    })
    .prefault({}),
  /** When to hand the conversation to a human. */
  handoff: z
    .strictObject({
      onCustomerRequest: z.boolean().default(true),
      onNoAnswer: z.boolean().default(true),
      /** Hand off before the next run once this many consecutive replies in the episode had no knowledge behind them; 0 = never. */
      afterUnansweredTurns: z.int().min(0).max(100).default(3),
    })
    .prefault({}),
  /** What a handoff does besides the private summary note. */
  handoffActions: z
    .strictObject({
      labels: z.array(label).max(20).default([]),
      teamId: z.int().positive().nullable().default(null),
      /** Public message before the human arrives; "" = say nothing. */
      customerMessage: text(1000).default(
        "I've passed your conversation to our team. Someone will be with you shortly.",
      ),
      /** Public message when the model cannot be reached (never left silent). */
      unavailableMessage: text(1000)
        .min(1)
        .default(
          "Sorry, I can't answer right now. I've passed your conversation to our team and someone will be with you shortly.",
        ),
    })
    .prefault({}),
  businessHours: z
    .strictObject({
      enabled: z.boolean().default(false),
      timeZone: timeZone.default('UTC'),
      weekly: z
        .strictObject({
          monday: z.array(interval).max(8).default(officeDay),
          tuesday: z.array(interval).max(8).default(officeDay),
          wednesday: z.array(interval).max(8).default(officeDay),
          thursday: z.array(interval).max(8).default(officeDay),
          friday: z.array(interval).max(8).default(officeDay),
          saturday: z.array(interval).max(8).default([]),
          sunday: z.array(interval).max(8).default([]),
        })
        .prefault({}),
      /** Outside hours: keep answering (handoffs then use the out-of-hours message) or hand off at once. */
      whenClosed: z.enum(['answer', 'handoff']).default('answer'),
      outOfHoursMessage: text(1000)
        .min(1)
        .default(
          "Our team is offline right now. We've received your message and will get back to you during business hours.",
        ),
    })
    .prefault({}),
  /** Burst handling, read by the reply pipeline; null = the service default (REPLY_DEBOUNCE_MS / REPLY_MAX_WAIT_MS). */
  debounce: z
    .strictObject({
      windowMs: z.int().min(0).max(600_000).nullable().default(null),
      maxWaitMs: z.int().min(0).max(3_600_000).nullable().default(null),
    })
    .prefault({}),
  limits: z
    .strictObject({
      maxBotTurnsPerEpisode: z.int().min(1).max(1000).default(10),
      /** Model calls per run (each tool round trip is one step). */
      maxSteps: z.int().min(1).max(20).default(6),
      runTimeoutMs: z.int().min(1_000).max(MAX_RESPONDER_RUN_MS).default(90_000),
      /** Token budget (estimated) for the transcript window in the prompt. */
      transcriptTokens: z.int().min(200).max(100_000).default(3_000),
      /** Passages retrieved up front and put in the prompt. */
      passagesInPrompt: z.int().min(0).max(20).default(4),
    })
    .prefault({}),
  budgets: z
    .strictObject({
      /** `episode`: one support case (reopening starts a new budget); `conversation`: all episodes. */
      conversationScope: z.enum(['episode', 'conversation']).default('episode'),
      perConversation: z.strictObject({ maxTokens: nullableLimit, maxCostUsd: nullableLimit }).prefault({}),
      /** Per inbox and calendar day in the business-hours time zone. */
      perDay: z.strictObject({ maxTokens: nullableLimit, maxCostUsd: nullableLimit }).prefault({}),
    })
    .prefault({}),
  replyStyle: z
    .strictObject({
      /** Characters per message. */
      maxLength: z.int().min(50).max(10_000).default(1_000),
      /** Split long replies at paragraph boundaries into several messages. */
      split: z.boolean().default(false),
      maxMessages: z.int().min(1).max(10).default(3),
    })
    .prefault({}),
  citations: z.boolean().default(true),
  tools: z
    .strictObject({
      /** Labels the agent may add; empty = the add_labels tool is not offered. */
      allowedLabels: z.array(label).max(100).default([]),
      /** Priorities the agent may set; empty = the set_priority tool is not offered. */
      allowedPriorities: z.array(z.enum(PRIORITIES)).default([...PRIORITIES]),
    })
    .prefault({}),
  memory: z
    .strictObject({
      enabled: z.boolean().default(true),
      maxFacts: z.int().min(1).max(200).default(20),
      summariesInPrompt: z.int().min(0).max(20).default(3),
    })
    .prefault({}),
  /** Offline responder thresholds (see docs/offline-responder.md). */
  offline: z
    .strictObject({
      faqThreshold: z.number().min(0).max(1).default(0.6),
      passageThreshold: z.number().min(0).max(1).default(0.7),
      maxPassageLength: z.int().min(100).max(10_000).default(800),
    })
    .prefault({}),
  /** Overrides of the service's LLM configuration for this inbox; credentials always come from the service config. */
  model: z
    .strictObject({
      provider: z.enum(['inherit', 'openai', 'openai-compatible', 'anthropic', 'none']).default('inherit'),
      modelId: text(200).min(1).nullable().default(null),
      temperature: z.number().min(0).max(2).nullable().default(null),
      maxOutputTokens: z.int().min(1).max(200_000).nullable().default(null),
    })
    .prefault({}),
});

export type InboxSettings = z.output<typeof inboxSettingsSchema>;
export type BusinessHours = InboxSettings['businessHours'];

/** Which stored versions produced the effective settings; 0 = no stored document (built-in defaults). */
export interface SettingsVersion {
  readonly global: number;
  readonly inbox: number;
}

export const DEFAULT_INBOX_SETTINGS: InboxSettings = inboxSettingsSchema.parse({});

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
