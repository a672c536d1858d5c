import { generateText } from 'ai';
import { and, asc, eq } from 'drizzle-orm';

import { contactEpisodeSummaries } from '../../db/schema/agent.ts';
import { transcriptMessages } from '../../db/schema/chatwoot.ts';
import { coerceError } from '../../errors/coerce-error.ts';
import type { AgentDeps } from '../agent-deps.ts';
import { buildRunModel } from '../models/build-run-model.ts';
import { resolveModelSettings } from '../models/resolve-model-settings.ts';
import { neutraliseDelimiters } from '../run/neutralise-delimiters.ts';
import { getEffectiveInboxSettings } from '../settings/get-effective-inbox-settings.ts';
import { renderEpisodeTranscript, SUMMARIZE_EPISODE_INSTRUCTIONS } from './summarize-episode-prompt.ts';

export interface EpisodeRef {
  /** Our conversation row id. */
  readonly id: number;
  readonly connection: string;
  readonly inboxId: number;
  readonly contactId: number | null;
  readonly episode: number;
}

export type SummarizeEpisodeResult =
  | { readonly stored: true; readonly summary: string; readonly method: 'model' | 'extractive' }
  | { readonly stored: false; readonly reason: 'no_contact' | 'memory_disabled' | 'empty_transcript' };

const MAX_SUMMARY_CHARS = 600;

/**
 * Called when an episode resolves: condenses its public transcript into the contact's memory
 * (one row per conversation episode; re-running replaces it). With a model configured for the
 * inbox the model writes the summary; without one, or when the model fails, an extractive
 * summary is stored instead (the customer's first request and the last answer).
 */
export async function summarizeEpisode(
  deps: Pick<AgentDeps, 'db' | 'logger' | 'llm' | 'createModel' | 'fetch' | 'retry' | 'sleep'>,
  conversation: EpisodeRef,
): Promise<SummarizeEpisodeResult> {
  if (conversation.contactId === null) return { stored: false, reason: 'no_contact' };
  const { settings } = await getEffectiveInboxSettings(deps, conversation);
  if (!settings.memory.enabled) return { stored: false, reason: 'memory_disabled' };

  const rows = await deps.db
    .select({ role: transcriptMessages.role, content: transcriptMessages.content })
    .from(transcriptMessages)
    .where(
      and(
        eq(transcriptMessages.conversationId, conversation.id),
        eq(transcriptMessages.episode, conversation.episode),
      ),
    )
    .orderBy(asc(transcriptMessages.chatwootMessageId));
  const lines = rows
    .filter((row) => row.role !== 'note' && row.content && row.content.trim())
    .map((row) => ({ role: row.role, content: row.content!.replace(/\s+/g, ' ').trim().slice(0, 1_000) }));
  if (!lines.some((line) => line.role === 'customer')) return { stored: false, reason: 'empty_transcript' };

  let summary = extractiveSummary(lines);
  let method: 'model' | 'extractive' = 'extractive';
  const resolution = resolveModelSettings(deps.llm, settings.model);
  if (resolution.kind === 'llm') {
    try {
      const model = buildRunModel(deps, resolution.settings, deps.logger);
      const result = await generateText({
        model,
        instructions: SUMMARIZE_EPISODE_INSTRUCTIONS,
        prompt: renderEpisodeTranscript(
          lines.slice(-60).map((line) => ({ ...line, content: neutraliseDelimiters(line.content) })),
        ),
        maxRetries: 0,
        maxOutputTokens: 300,
        temperature: 0,
      });
      const text = result.text.replace(/\s+/g, ' ').trim();
      if (text) {
        summary = text.slice(0, MAX_SUMMARY_CHARS);
        method = 'model';
      }
    } catch (error) {
      deps.logger.warn(
        { err: coerceError(error), conversationId: conversation.id },
        'episode summary by model failed; storing an extractive one',
      );
    }
  }

  await deps.db
    .insert(contactEpisodeSummaries)
    .values({
      contactId: conversation.contactId,
      conversationId: conversation.id,
      episode: conversation.episode,
      summary,
      method,
    })
    .onConflictDoUpdate({
      target: [contactEpisodeSummaries.conversationId, contactEpisodeSummaries.episode],
      set: { summary, method, createdAt: new Date() },
    });
  return { stored: true, summary, method };
}

/** The customer's first request and the last public answer, each shortened. Pure. */
export function extractiveSummary(
  lines: readonly { readonly role: string; readonly content: string }[],
): string {
  const first = lines.find((line) => line.role === 'customer');
  const lastAnswer = [...lines].reverse().find((line) => line.role === 'bot' || line.role === 'human');
  const parts = [`Customer asked: ${shorten(first?.content ?? '', 250)}`];
  if (lastAnswer)
    parts.push(
      `Last answer (${lastAnswer.role === 'human' ? 'team' : 'bot'}): ${shorten(lastAnswer.content, 250)}`,
    );
  return parts.join(' ').slice(0, MAX_SUMMARY_CHARS);
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
