import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV4 } from '@ai-sdk/provider';

import type { LlmConfig } from '../../config/config.ts';
import type { ResolvedModelSettings } from './resolve-model-settings.ts';

export interface CreateLanguageModelOptions {
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * The provider's chat model for resolved settings, with credentials from the service config.
 * - `openai`: Chat Completions via `.chat()` (the default export would call the Responses API,
 *   which OpenAI-compatible proxies do not speak); `LLM_BASE_URL` may point at a proxy.
 * - `openai-compatible`: any server speaking `/chat/completions` (Ollama, vLLM, LM Studio, ...).
 * - `anthropic`: the Messages API.
 * Retries are not configured here: `withTransientRetry` wraps the model.
 * @see https://ai-sdk.dev/providers/ai-sdk-providers/openai
 */
export function createLanguageModel(
  llm: Pick<LlmConfig, 'apiKey' | 'baseUrl'>,
  settings: ResolvedModelSettings,
  options: CreateLanguageModelOptions = {},
): LanguageModelV4 {
  const apiKey = llm.apiKey;
  const baseURL = llm.baseUrl;
  switch (settings.provider) {
    case 'openai':
      return createOpenAI({ apiKey, baseURL, fetch: options.fetch }).chat(settings.modelId);
    case 'openai-compatible':
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: baseURL ?? '',
        apiKey,
        fetch: options.fetch,
        includeUsage: true,
      }).chatModel(settings.modelId);
    case 'anthropic':
      return createAnthropic({ apiKey, baseURL, fetch: options.fetch })(settings.modelId);
  }
}
