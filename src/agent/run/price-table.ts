/** USD per million tokens. */
export interface ModelPrice {
  readonly inputPerMillionUsd: number;
  readonly outputPerMillionUsd: number;
  /** Cache reads, when the provider bills them differently; otherwise the input price. */
  readonly cachedInputPerMillionUsd?: number;
}

/** Keyed by model id; a dated id (`gpt-4.1-mini-2025-04-14`) matches its longest listed prefix. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * List prices at the time of writing, for the budgets' cost estimate only. Self-hosted and
 * unknown models cost 0 unless the deployment supplies its own table (`AgentDeps.prices`).
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  'gpt-4.1': { inputPerMillionUsd: 2, outputPerMillionUsd: 8, cachedInputPerMillionUsd: 0.5 },
  'gpt-4.1-mini': { inputPerMillionUsd: 0.4, outputPerMillionUsd: 1.6, cachedInputPerMillionUsd: 0.1 },
  'gpt-4.1-nano': { inputPerMillionUsd: 0.1, outputPerMillionUsd: 0.4, cachedInputPerMillionUsd: 0.025 },
  'gpt-4o': { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10, cachedInputPerMillionUsd: 1.25 },
  'gpt-4o-mini': { inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6, cachedInputPerMillionUsd: 0.075 },
  'claude-sonnet-4-5': { inputPerMillionUsd: 3, outputPerMillionUsd: 15, cachedInputPerMillionUsd: 0.3 },
  'claude-haiku-4-5': { inputPerMillionUsd: 1, outputPerMillionUsd: 5, cachedInputPerMillionUsd: 0.1 },
  'claude-opus-4-1': { inputPerMillionUsd: 15, outputPerMillionUsd: 75, cachedInputPerMillionUsd: 1.5 },
};

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Part of `inputTokens` served from the provider's prompt cache. */
  readonly cachedInputTokens?: number;
}

/** The price of a model id: exact match first, then the longest prefix. Pure. */
export function findModelPrice(prices: PriceTable, modelId: string): ModelPrice | undefined {
  if (Object.hasOwn(prices, modelId)) return prices[modelId];
  let best: string | undefined;
  for (const key of Object.keys(prices)) {
    if (modelId.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : prices[best];
}

/** Estimated cost in USD (0 for unpriced models). Pure. */
export function estimateCostUsd(prices: PriceTable, modelId: string, usage: TokenUsage): number {
  const price = findModelPrice(prices, modelId);
  if (!price) return 0;
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const cost =
    (usage.inputTokens - cached) * price.inputPerMillionUsd +
    cached * (price.cachedInputPerMillionUsd ?? price.inputPerMillionUsd) +
    usage.outputTokens * price.outputPerMillionUsd;
  return cost / 1_000_000;
}
