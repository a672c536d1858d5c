import { eq } from 'drizzle-orm';

import type { Database } from '../../db/database.ts';
import { contactEpisodeSummaries, contactFacts } from '../../db/schema/agent.ts';
import { type ContactRef, resolveContact } from './contact-ref.ts';

export interface ForgetContactResult {
  readonly found: boolean;
  readonly contactId: number | null;
  readonly deletedFacts: readonly string[];
  readonly deletedSummaries: number;
}

/**
 * Right to be forgotten for the agent's memory: deletes every fact and episode summary of the
 * contact in one transaction and reports what was deleted. Transcripts and run traces belong to
 * the conversation record and are not touched here.
 */
export async function forgetContact(
  deps: { readonly db: Database },
  ref: ContactRef,
): Promise<ForgetContactResult> {
  return deps.db.transaction(async (tx) => {
    const contact = await resolveContact({ db: tx }, ref);
    if (!contact) return { found: false, contactId: null, deletedFacts: [], deletedSummaries: 0 };
    const facts = await tx
      .delete(contactFacts)
      .where(eq(contactFacts.contactId, contact.id))
      .returning({ fact: contactFacts.fact });
    const summaries = await tx
      .delete(contactEpisodeSummaries)
      .where(eq(contactEpisodeSummaries.contactId, contact.id))
      .returning({ id: contactEpisodeSummaries.id });
    return {
      found: true,
      contactId: contact.id,
      deletedFacts: facts.map((row) => row.fact),
      deletedSummaries: summaries.length,
    };
  });
}

export function formatForgetContactResult(result: ForgetContactResult): string {
  if (!result.found) return 'Unknown contact: nothing deleted.\n';
  return `Deleted ${result.deletedFacts.length} fact(s) and ${result.deletedSummaries} episode summary(ies) for contact ${result.contactId}.\n${result.deletedFacts
    .map((fact) => `  - ${fact}\n`)
    .join('')}`;
}
