import type { LanguageModelV4 } from '@ai-sdk/provider';

import type { Logger } from '../../logging/create-logger.ts';
import type { AgentDeps } from '../agent-deps.ts';
import { createLanguageModel } from './create-language-model.ts';
import type { ResolvedModelSettings } from './resolve-model-settings.ts';
import { DEFAULT_RETRY_POLICY, sleep, withTransientRetry } from './with-transient-retry.ts';

/**
 * The model a run uses: the provider's model (or the injected one) wrapped in the bounded
 * transient retry with the per-attempt timeout. Callers pass `maxRetries: 0` to the AI SDK.
 */
export function buildRunModel(
  deps: Pick<AgentDeps, 'llm' | 'createModel' | 'fetch' | 'retry' | 'sleep'>,
  settings: ResolvedModelSettings,
  logger?: Logger,
): LanguageModelV4 {
  const base = deps.createModel
    ? deps.createModel(settings)
    : createLanguageModel(deps.llm, settings, { fetch: deps.fetch });
  return withTransientRetry(base, {
    policy: { ...DEFAULT_RETRY_POLICY, ...deps.retry },
    attemptTimeoutMs: settings.timeoutMs,
    sleep: deps.sleep ?? sleep,
    onRetry: ({ attempt, delayMs, error }) =>
      logger?.warn({ attempt, delayMs, err: error }, 'model call failed, retrying'),
  });
}
