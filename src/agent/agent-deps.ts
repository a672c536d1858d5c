import type { LanguageModelV4 } from '@ai-sdk/provider';

import type { LlmConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { KnowledgeSearch } from '../knowledge/knowledge-search.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { ResolvedModelSettings } from './models/resolve-model-settings.ts';
import type { RetryPolicy } from './models/with-transient-retry.ts';
import type { PriceTable } from './run/price-table.ts';

/**
 * Everything the agent needs, built once in the composition root. Functions take the narrowest
 * `Pick<AgentDeps, ...>` they need; the optional members have production defaults.
 */
export interface AgentDeps {
  readonly db: Database;
  readonly logger: Logger;
  readonly llm: LlmConfig;
  readonly knowledge: KnowledgeSearch;
  /** USD per million tokens by model id; defaults to DEFAULT_PRICE_TABLE. */
  readonly prices?: PriceTable;
  /** Builds the language model for resolved settings; defaults to the real providers. Tests pass a mock. */
  readonly createModel?: (settings: ResolvedModelSettings) => LanguageModelV4;
  /** The providers' HTTP client (tests, proxies); defaults to the global fetch. */
  readonly fetch?: typeof globalThis.fetch;
  /** Bounded retry of transient provider errors; see DEFAULT_RETRY_POLICY. */
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly generateRunId?: () => string;
  readonly now?: () => Date;
}
