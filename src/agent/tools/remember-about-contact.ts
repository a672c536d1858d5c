import { tool } from 'ai';
import { z } from 'zod';

import { coerceError } from '../../errors/coerce-error.ts';
import { rememberContactFact } from '../memory/remember-contact-fact.ts';
import type { AgentToolContext } from './agent-tool-context.ts';

export const FACT_CATEGORIES = ['preference', 'account', 'issue', 'other'] as const;

export const rememberAboutContactInput = z.object({
  fact: z
    .string()
    .trim()
    .min(3)
    .max(300)
    .describe(
      'One durable fact about the customer worth knowing next time, e.g. "prefers replies in Portuguese".',
    ),
  category: z.enum(FACT_CATEGORIES).describe('What kind of fact it is.'),
});

/**
 * `remember_about_contact`: stores a durable fact in the contact's memory (our database only).
 * Refuses secrets (card numbers, passwords) as data. Not offered when memory is disabled or the
 * contact is unknown.
 */
export function createRememberAboutContactTool(context: AgentToolContext) {
  if (!context.settings.memory.enabled || context.contactId === null) return null;
  const contactId = context.contactId;
  return tool({
    description:
      'Remember a durable fact about this customer for future conversations (preferences, their plan, a recurring issue). Never store passwords, card numbers or other secrets.',
    inputSchema: rememberAboutContactInput,
    execute: async ({ fact, category }) => {
      try {
        const result = await rememberContactFact(
          { db: context.db },
          {
            contactId,
            fact,
            category,
            conversationId: context.conversationId,
            runId: context.runId,
            maxFacts: context.settings.memory.maxFacts,
          },
        );
        return result.stored ? { ok: true } : { ok: false, error: result.reason };
      } catch (error) {
        context.logger.warn({ err: coerceError(error) }, 'could not store a contact fact');
        return { ok: false, error: 'memory_unavailable' };
      }
    },
  });
}
