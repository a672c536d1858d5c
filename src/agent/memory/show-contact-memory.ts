import { desc, eq } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { contactEpisodeSummaries, contactFacts } from '../../db/schema/agent.ts';
import { type ContactRef, type ResolvedContact, resolveContact } from './contact-ref.ts';

export interface ContactMemoryView {
  readonly contact: ResolvedContact;
  readonly facts: readonly {
    readonly id: number;
    readonly fact: string;
    readonly category: string;
    readonly createdAt: Date;
  }[];
  readonly summaries: readonly {
    readonly id: number;
    readonly conversationId: number | null;
    readonly episode: number;
    readonly summary: string;
    readonly method: string;
    readonly createdAt: Date;
  }[];
}

/** Everything the agent remembers about a contact (all of it, unlike the prompt's window); null when the contact is unknown. */
export async function showContactMemory(
  deps: { readonly db: Executor },
  ref: ContactRef,
): Promise<ContactMemoryView | null> {
  const contact = await resolveContact(deps, ref);
  if (!contact) return null;
  const facts = await deps.db
    .select({
      id: contactFacts.id,
      fact: contactFacts.fact,
      category: contactFacts.category,
      createdAt: contactFacts.createdAt,
    })
    .from(contactFacts)
    .where(eq(contactFacts.contactId, contact.id))
    .orderBy(desc(contactFacts.createdAt), desc(contactFacts.id));
  const summaries = await deps.db
    .select({
      id: contactEpisodeSummaries.id,
      conversationId: contactEpisodeSummaries.conversationId,
      episode: contactEpisodeSummaries.episode,
      summary: contactEpisodeSummaries.summary,
      method: contactEpisodeSummaries.method,
      createdAt: contactEpisodeSummaries.createdAt,
    })
    .from(contactEpisodeSummaries)
    .where(eq(contactEpisodeSummaries.contactId, contact.id))
    .orderBy(desc(contactEpisodeSummaries.createdAt), desc(contactEpisodeSummaries.id));
  return { contact, facts, summaries };
}

/** Plain-text rendering for the CLI. */
export function formatContactMemory(view: ContactMemoryView | null): string {
  if (!view) return 'Unknown contact.\n';
  const lines = [
    `Contact ${view.contact.chatwootContactId} (${view.contact.name ?? 'no name'}) on ${view.contact.connection}`,
  ];
  lines.push(`Facts (${view.facts.length}):`);
  for (const fact of view.facts)
    lines.push(`  - [${fact.category}] ${fact.fact}  (${fact.createdAt.toISOString()})`);
  lines.push(`Episode summaries (${view.summaries.length}):`);
  for (const item of view.summaries) {
    lines.push(
      `  - conversation ${item.conversationId ?? '(deleted)'} episode ${item.episode} [${item.method}]: ${item.summary}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
