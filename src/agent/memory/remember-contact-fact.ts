import { and, desc, eq, notInArray } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { contactFacts } from '../../db/schema/agent.ts';

export interface RememberContactFactInput {
  /** Our contact row id. */
  readonly contactId: number;
  readonly fact: string;
  readonly category: string;
  readonly conversationId?: number | null;
  readonly runId?: string | null;
  /** Older facts beyond this count are dropped. */
  readonly maxFacts: number;
}

export type RememberContactFactResult =
  { readonly stored: true } | { readonly stored: false; readonly reason: 'looks_like_a_secret' | 'empty' };

// Payment card-like digit runs, and words that announce credentials: never worth remembering.
const SECRET_PATTERNS = [
  /(?:\d[ -]?){13,19}/,
  /\b(?:password|passcode|passwd|senha|contraseña|cvv|cvc|pin code|one-time code|otp)\b/i,
];

/**
 * Stores one durable fact (deduplicated: the same text twice is kept once) and keeps only the
 * newest `maxFacts` per contact, so the memory stays short enough for every prompt.
 */
export async function rememberContactFact(
  deps: { readonly db: Executor },
  input: RememberContactFactInput,
): Promise<RememberContactFactResult> {
  const fact = input.fact.replace(/\s+/g, ' ').trim();
  if (fact === '') return { stored: false, reason: 'empty' };
  if (SECRET_PATTERNS.some((pattern) => pattern.test(fact)))
    return { stored: false, reason: 'looks_like_a_secret' };
  await deps.db
    .insert(contactFacts)
    .values({
      contactId: input.contactId,
      fact,
      category: input.category,
      conversationId: input.conversationId ?? null,
      runId: input.runId ?? null,
    })
    .onConflictDoNothing();
  const keep = deps.db
    .select({ id: contactFacts.id })
    .from(contactFacts)
    .where(eq(contactFacts.contactId, input.contactId))
    .orderBy(desc(contactFacts.createdAt), desc(contactFacts.id))
    .limit(input.maxFacts);
  await deps.db
    .delete(contactFacts)
    .where(and(eq(contactFacts.contactId, input.contactId), notInArray(contactFacts.id, keep)));
  return { stored: true };
}
