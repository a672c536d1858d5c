import { coerceError } from '../../errors/coerce-error.ts';
import type { RunRecorder } from '../tools/run-recorder.ts';

/**
 * Tool calls the AI SDK refused (an unknown tool, arguments failing the schema) never reach
 * `execute`, so the registry's instrumentation does not see them: record them from the steps'
 * `tool-error` parts for the audit trail.
 */
export function recordRejectedToolCalls(
  steps: readonly { readonly content: readonly { readonly type: string }[] }[],
  recorder: RunRecorder,
): void {
  for (const step of steps) {
    for (const part of step.content) {
      if (part.type !== 'tool-error') continue;
      const rejected = part as unknown as { toolName: string; input: unknown; error: unknown };
      recorder.recordToolCall({
        name: rejected.toolName,
        args: rejected.input,
        ok: false,
        resultSummary: `rejected: ${coerceError(rejected.error).message}`.slice(0, 300),
        durationMs: 0,
      });
    }
  }
}
