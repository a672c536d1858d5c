import { tool } from 'ai';
import { z } from 'zod';

import type { AgentToolContext } from './agent-tool-context.ts';

/**
 * `add_labels`: tags the conversation with labels from the inbox's allow-list only (the schema
 * is an enum of them, so anything else is rejected before execution). Offered only when the
 * allow-list is not empty. Records an action; never calls Chatwoot.
 */
export function createAddLabelsTool(context: AgentToolContext) {
  const allowed = context.settings.tools.allowedLabels;
  if (allowed.length === 0) return null;
  const inputSchema = z.object({
    labels: z
      .array(z.enum(allowed as [string, ...string[]]))
      .min(1)
      .max(5)
      .describe(`Labels to add to the conversation. Allowed: ${allowed.join(', ')}.`),
  });
  return tool({
    description: 'Add labels to the conversation so the team can sort and report on it.',
    inputSchema,
    execute: ({ labels }) => {
      const unique = [...new Set(labels)];
      context.recorder.recordAction({ type: 'add_labels', labels: unique });
      return { ok: true, labels: unique };
    },
  });
}
