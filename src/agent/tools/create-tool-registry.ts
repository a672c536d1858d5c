import type { Tool, ToolSet } from 'ai';

import { coerceError } from '../../errors/coerce-error.ts';
import { createAddLabelsTool } from './add-labels.ts';
import type { AgentToolContext } from './agent-tool-context.ts';
import { createHandoffToHumanTool } from './handoff-to-human.ts';
import { createRememberAboutContactTool } from './remember-about-contact.ts';
import { createSearchKnowledgeTool } from './search-knowledge.ts';
import { createSetPriorityTool } from './set-priority.ts';

/** Builds a tool for one run, or null when the inbox's settings do not offer it. */
export type AgentToolFactory = (context: AgentToolContext) => Tool | null;

export const BUILTIN_TOOL_FACTORIES: Readonly<Record<string, AgentToolFactory>> = {
  search_knowledge: createSearchKnowledgeTool,
  handoff_to_human: createHandoffToHumanTool,
  add_labels: createAddLabelsTool,
  set_priority: createSetPriorityTool,
  remember_about_contact: createRememberAboutContactTool,
};

export interface ToolRegistry {
  readonly names: readonly string[];
  /** The tools offered in one run: context frozen, every execution timed and recorded, thrown errors returned as data. */
  createTools(context: AgentToolContext): ToolSet;
}

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const SUMMARY_CHARS = 300;

/**
 * The tools the agent may call. `extra` adds tools (the spreadsheet/HTTP "custom functions"
 * feature plugs in here); a name may not shadow a built-in, so a configured tool can never
 * replace `handoff_to_human` or `search_knowledge`.
 */
export function createToolRegistry(extra: Readonly<Record<string, AgentToolFactory>> = {}): ToolRegistry {
  for (const name of Object.keys(extra)) {
    if (Object.hasOwn(BUILTIN_TOOL_FACTORIES, name))
      throw new Error(`Tool "${name}" is built in and cannot be replaced`);
    if (!TOOL_NAME.test(name)) throw new Error(`Tool name "${name}" must be snake_case (a-z, 0-9, _)`);
  }
  const factories: Record<string, AgentToolFactory> = { ...BUILTIN_TOOL_FACTORIES, ...extra };
  return {
    names: Object.keys(factories),
    createTools(context) {
      const frozen = Object.freeze({ ...context });
      const tools: ToolSet = {};
      for (const [name, factory] of Object.entries(factories)) {
        const built = factory(frozen);
        if (built) tools[name] = instrument(name, built, frozen);
      }
      return tools;
    },
  };
}

function instrument(name: string, tool: Tool, context: AgentToolContext): Tool {
  const execute = tool.execute;
  if (!execute) return tool;
  return {
    ...tool,
    execute: async (input: unknown, options: Parameters<typeof execute>[1]) => {
      const started = performance.now();
      try {
        const output: unknown = await execute(input, options);
        context.recorder.recordToolCall({
          name,
          args: input,
          ok: !isErrorResult(output),
          resultSummary: summarise(output),
          durationMs: Math.round(performance.now() - started),
        });
        return output;
      } catch (thrown) {
        const error = coerceError(thrown);
        context.logger.warn({ err: error, tool: name }, 'tool failed');
        context.recorder.recordToolCall({
          name,
          args: input,
          ok: false,
          resultSummary: `error: ${error.message}`.slice(0, SUMMARY_CHARS),
          durationMs: Math.round(performance.now() - started),
        });
        return { ok: false, error: 'tool_failed' };
      }
    },
  };
}

function isErrorResult(output: unknown): boolean {
  return (
    typeof output === 'object' &&
    output !== null &&
    ('error' in output || (output as { ok?: unknown }).ok === false)
  );
}

function summarise(output: unknown): string {
  const text = JSON.stringify(output) ?? String(output);
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
}
