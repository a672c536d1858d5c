import type { LlmConfig } from '../../config/config.ts';
import type { InboxSettings } from '../settings/inbox-settings-schema.ts';

export type LlmProvider = 'openai' | 'openai-compatible' | 'anthropic';

/** What a run uses: no credentials here, so it can be logged and recorded as is. */
export interface ResolvedModelSettings {
  readonly provider: LlmProvider;
  readonly modelId: string;
  readonly temperature: number | undefined;
  readonly maxOutputTokens: number | undefined;
  /** Per model call (each attempt); the run has its own wall-clock limit. */
  readonly timeoutMs: number;
}

export type ModelResolution =
  | { readonly kind: 'llm'; readonly settings: ResolvedModelSettings }
  | {
      readonly kind: 'offline';
      readonly reason: 'no_provider' | 'inbox_offline' | 'no_model' | 'no_base_url';
    };

/**
 * The service's LLM configuration with the inbox's overrides applied. Pure. An inbox may pick
 * another provider, but credentials and base URL always come from the service configuration.
 */
export function resolveModelSettings(llm: LlmConfig, overrides: InboxSettings['model']): ModelResolution {
  if (overrides.provider === 'none') return { kind: 'offline', reason: 'inbox_offline' };
  const provider = overrides.provider === 'inherit' ? llm.provider : overrides.provider;
  if (provider === 'none') return { kind: 'offline', reason: 'no_provider' };
  const modelId = overrides.modelId ?? llm.model;
  if (!modelId) return { kind: 'offline', reason: 'no_model' };
  if (provider === 'openai-compatible' && !llm.baseUrl) return { kind: 'offline', reason: 'no_base_url' };
  return {
    kind: 'llm',
    settings: {
      provider,
      modelId,
      temperature: overrides.temperature ?? llm.temperature,
      maxOutputTokens: overrides.maxOutputTokens ?? llm.maxOutputTokens,
      timeoutMs: llm.timeoutMs,
    },
  };
}
