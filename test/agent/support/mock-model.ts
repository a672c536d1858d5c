import type { LanguageModelV4CallOptions, LanguageModelV4GenerateResult } from '@ai-sdk/provider';
import { APICallError } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';

export type ScriptStep =
  | { readonly text: string; readonly inputTokens?: number; readonly outputTokens?: number }
  | {
      readonly toolCalls: readonly { readonly name: string; readonly args: unknown }[];
      readonly inputTokens?: number;
      readonly outputTokens?: number;
    }
  | { readonly fail: 'status'; readonly status: number; readonly headers?: Record<string, string> }
  | { readonly fail: 'hang' };

/** A mock model that plays a script, one entry per model call, and keeps every call's options. */
export function createScriptedModel(script: readonly ScriptStep[], modelId = 'gpt-4.1-mini') {
  const calls: LanguageModelV4CallOptions[] = [];
  let index = 0;
  const model = new MockLanguageModelV4({
    provider: 'mock',
    modelId,
    doGenerate: async (options) => {
      calls.push(options);
      const step = script[Math.min(index, script.length - 1)]!;
      index += 1;
      if ('fail' in step) {
        if (step.fail === 'hang') {
          return new Promise<LanguageModelV4GenerateResult>((_resolve, reject) => {
            options.abortSignal?.addEventListener(
              'abort',
              () => reject(new Error('aborted', { cause: options.abortSignal?.reason })),
              {
                once: true,
              },
            );
          });
        }
        throw new APICallError({
          message: `HTTP ${step.status}`,
          url: 'https://llm.test/v1/chat/completions',
          requestBodyValues: {},
          statusCode: step.status,
          responseHeaders: step.headers,
          isRetryable: step.status === 429 || step.status >= 500,
        });
      }
      const usage = {
        inputTokens: {
          total: step.inputTokens ?? 100,
          noCache: step.inputTokens ?? 100,
          cacheRead: 0,
          cacheWrite: 0,
        },
        outputTokens: { total: step.outputTokens ?? 20, text: step.outputTokens ?? 20, reasoning: 0 },
      };
      if ('text' in step) {
        return {
          content: [{ type: 'text', text: step.text }],
          finishReason: { unified: 'stop', raw: 'stop' },
          usage,
          warnings: [],
        };
      }
      return {
        content: step.toolCalls.map((call, callIndex) => ({
          type: 'tool-call' as const,
          toolCallId: `call-${index}-${callIndex}`,
          toolName: call.name,
          input: JSON.stringify(call.args),
        })),
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage,
        warnings: [],
      };
    },
  });
  return { model, calls, callCount: () => calls.length };
}

/** Everything the model was shown in a call, as one string (system prompt, messages, tool definitions). */
export function promptText(call: LanguageModelV4CallOptions): string {
  return JSON.stringify({ prompt: call.prompt, tools: call.tools });
}

export function systemText(call: LanguageModelV4CallOptions): string {
  return call.prompt
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n\n');
}
