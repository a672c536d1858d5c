import type { LanguageModelV4 } from '@ai-sdk/provider';
import pino from 'pino';

import type { AgentDeps } from '../../../src/agent/agent-deps.ts';
import type { LlmConfig } from '../../../src/config/config.ts';
import type { Database } from '../../../src/db/database.ts';
import { contacts, conversations } from '../../../src/db/schema/index.ts';
import type { KnowledgeSearch } from '../../../src/knowledge/knowledge-search.ts';
import type {
  ResponderConversation,
  ResponderInput,
  TranscriptEntry,
} from '../../../src/pipeline/responder.ts';

export const TEST_SECRET = 'sk-test-SECRET-do-not-leak-1234567890';

export function llmConfig(overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    provider: 'openai',
    model: 'gpt-4.1-mini',
    baseUrl: 'https://llm-secret-host.internal/v1',
    apiKey: TEST_SECRET,
    temperature: undefined,
    maxOutputTokens: undefined,
    timeoutMs: 1_000,
    prices: {},
    ...overrides,
  };
}

export function buildAgentDeps(input: {
  db: Database;
  knowledge: KnowledgeSearch;
  model?: LanguageModelV4;
  llm?: LlmConfig;
  now?: Date;
}): AgentDeps & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    db: input.db,
    logger: pino({ level: 'silent' }),
    llm:
      input.llm ??
      (input.model
        ? llmConfig()
        : llmConfig({ provider: 'none', model: undefined, apiKey: undefined, baseUrl: undefined })),
    knowledge: input.knowledge,
    ...(input.model ? { createModel: () => input.model! } : {}),
    retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...(input.now ? { now: () => input.now! } : {}),
    sleeps,
  };
}

let nextChatwootId = 1000;

/** A contact and a conversation row, as the ingress would have stored them. */
export async function seedConversation(
  db: Database,
  input: { inboxId?: number; withContact?: boolean; botTurnsInEpisode?: number; episode?: number } = {},
): Promise<ResponderConversation> {
  nextChatwootId += 1;
  const contactId =
    input.withContact === false
      ? null
      : (
          await db
            .insert(contacts)
            .values({ connection: 'default', accountId: 1, chatwootContactId: nextChatwootId, name: 'Maria' })
            .returning({ id: contacts.id })
        )[0]!.id;
  const [row] = await db
    .insert(conversations)
    .values({
      connection: 'default',
      accountId: 1,
      chatwootConversationId: nextChatwootId,
      inboxId: input.inboxId ?? 7,
      contactId,
      status: 'pending',
      episode: input.episode ?? 1,
      botTurnsInEpisode: input.botTurnsInEpisode ?? 0,
    })
    .returning();
  return {
    id: row!.id,
    connection: 'default',
    accountId: 1,
    chatwootConversationId: row!.chatwootConversationId,
    inboxId: row!.inboxId,
    contactId,
    episode: row!.episode,
    botTurnsInEpisode: row!.botTurnsInEpisode,
    labels: [],
  };
}

let nextMessageId = 5000;

export function customerMessage(content: string, sentAt = new Date('2026-03-02T10:00:00Z')): TranscriptEntry {
  nextMessageId += 1;
  return { chatwootMessageId: nextMessageId, role: 'customer', content, sentAt };
}

export function responderInput(
  conversation: ResponderConversation,
  messages: readonly TranscriptEntry[],
  options: { earlier?: readonly TranscriptEntry[]; now?: Date; signal?: AbortSignal } = {},
): ResponderInput {
  return {
    conversation,
    transcript: [...(options.earlier ?? []), ...messages],
    newMessages: messages,
    signal: options.signal ?? new AbortController().signal,
    // A Monday, 10:00 UTC.
    now: options.now ?? new Date('2026-03-02T10:00:00Z'),
  };
}
