import { tool } from 'ai';
import { z } from 'zod';

import type { AgentToolContext } from './agent-tool-context.ts';

/**
 * `set_priority`: sets the conversation's priority to one the inbox allows. Records an action;
 * never calls Chatwoot. Not offered when no priority is allowed.
 */
export function createSetPriorityTool(context: AgentToolContext) {
  const allowed = context.settings.tools.allowedPriorities;
  if (allowed.length === 0) return null;
  const inputSchema = z.object({
    priority: z
      .enum(allowed as [(typeof allowed)[number], ...(typeof allowed)[number][]])
      .describe(
        'The priority the issue deserves for the human team (e.g. high for an outage affecting the customer).',
      ),
  });
  return tool({
    description: "Set the conversation's priority for the human team.",
    inputSchema,
    execute: ({ priority }) => {
      context.recorder.recordAction({ type: 'set_priority', priority });
      return { ok: true, priority };
    },
  });
}
