import { tool } from 'ai';
import { z } from 'zod';

import type { AgentToolContext } from './agent-tool-context.ts';

export const HANDOFF_REASONS = [
  'customer_asked_for_human',
  'no_answer',
  'out_of_scope',
  'complaint',
  'sensitive_topic',
  'other',
] as const;

export const handoffToHumanInput = z.object({
  reason: z.enum(HANDOFF_REASONS).describe('Why a human should take over.'),
  summary: z
    .string()
    .trim()
    .min(10)
    .max(2_000)
    .describe(
      "A private note for the human agent: the customer's issue, what you already told them, what is still open.",
    ),
  customerMessage: z
    .string()
    .trim()
    .min(1)
    .max(1_000)
    .optional()
    .describe(
      "A short message to the customer, in their language, saying a person will continue. Omit to use the team's standard message.",
    ),
});

/**
 * `handoff_to_human`: ends the bot's turn. It only records the request; the responder turns it
 * into a handoff decision and the pipeline performs it (note, labels, team, status) after the
 * ownership re-check. The loop stops after the step that calls it.
 */
export function createHandoffToHumanTool(context: AgentToolContext) {
  return tool({
    description:
      'Hand the conversation to a human agent. Use when the customer asks for a person, when the knowledge base does not answer the question, or when the request is outside what you may handle. Do not write a reply after calling it.',
    inputSchema: handoffToHumanInput,
    execute: ({ reason, summary, customerMessage }) => {
      context.recorder.requestHandoff({ reason, summary, customerMessage });
      return { ok: true, note: 'A human agent will take over after this turn. Do not add anything else.' };
    },
  });
}
