import type { ModelMessage } from 'ai';

import type { TranscriptEntry } from '../../pipeline/responder.ts';
import { neutraliseDelimiters } from './neutralise-delimiters.ts';

/** Rough and provider-independent: ~4 characters per token plus a little per message. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4;
}

const MAX_MESSAGE_CHARS = 4_000;

/**
 * The conversation as model messages, newest kept first within `tokenBudget` (estimated). The
 * messages being answered are always included. Customer text is fenced in <customer_message>;
 * private notes never reach the model (they are for the team); human agents' public replies are
 * labelled so the model does not mistake them for its own.
 */
export function buildTranscriptWindow(
  transcript: readonly TranscriptEntry[],
  newMessages: readonly TranscriptEntry[],
  tokenBudget: number,
): ModelMessage[] {
  const required = new Set(newMessages.map((entry) => entry.chatwootMessageId));
  const entries = transcript.some((entry) => required.has(entry.chatwootMessageId))
    ? transcript
    : [...transcript, ...newMessages];
  const usable = entries.filter(
    (entry) => entry.role !== 'note' && entry.content !== null && entry.content.trim() !== '',
  );

  const kept: TranscriptEntry[] = [];
  let used = 0;
  for (let index = usable.length - 1; index >= 0; index -= 1) {
    const entry = usable[index]!;
    const cost = estimateTokens(truncate(entry.content ?? ''));
    if (!required.has(entry.chatwootMessageId) && used + cost > tokenBudget) break;
    used += cost;
    kept.unshift(entry);
  }
  // Providers expect the conversation to start with the user; drop leading bot lines.
  while (kept.length > 0 && kept[0]!.role !== 'customer') kept.shift();
  return kept.map(toModelMessage);
}

function toModelMessage(entry: TranscriptEntry): ModelMessage {
  const text = truncate(entry.content ?? '');
  switch (entry.role) {
    case 'customer':
      return {
        role: 'user',
        content: `<customer_message>\n${neutraliseDelimiters(text)}\n</customer_message>`,
      };
    case 'human':
      return { role: 'assistant', content: `(Reply from a human agent of the team:) ${text}` };
    default:
      return { role: 'assistant', content: text };
  }
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}
