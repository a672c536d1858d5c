import { desc, eq } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { contactEpisodeSummaries, contactFacts } from '../../db/schema/agent.ts';

export interface ContactMemory {
  readonly facts: readonly { readonly fact: string; readonly category: string; readonly createdAt: Date }[];
  readonly summaries: readonly {
    readonly summary: string;
    readonly episode: number;
    readonly createdAt: Date;
  }[];
}

export const EMPTY_CONTACT_MEMORY: ContactMemory = { facts: [], summaries: [] };

/** The newest facts and episode summaries of a contact, newest first, for the prompt. */
export async function loadContactMemory(
  deps: { readonly db: Executor },
  input: { readonly contactId: number; readonly maxFacts: number; readonly maxSummaries: number },
): Promise<ContactMemory> {
  const facts = await deps.db
    .select({ fact: contactFacts.fact, category: contactFacts.category, createdAt: contactFacts.createdAt })
    .from(contactFacts)
    .where(eq(contactFacts.contactId, input.contactId))
    .orderBy(desc(contactFacts.createdAt), desc(contactFacts.id))
    .limit(input.maxFacts);
  const summaries =
    input.maxSummaries === 0
      ? []
      : await deps.db
          .select({
            summary: contactEpisodeSummaries.summary,
            episode: contactEpisodeSummaries.episode,
            createdAt: contactEpisodeSummaries.createdAt,
          })
          .from(contactEpisodeSummaries)
          .where(eq(contactEpisodeSummaries.contactId, input.contactId))
          .orderBy(desc(contactEpisodeSummaries.createdAt), desc(contactEpisodeSummaries.id))
          .limit(input.maxSummaries);
  return { facts, summaries };
}
