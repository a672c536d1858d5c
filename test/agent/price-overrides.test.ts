import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEFAULT_PRICE_TABLE, estimateCostUsd } from '../../src/agent/run/price-table.ts';
import { composeAgent } from '../../src/compose-responder.ts';
import { buildTestService, type TestService } from '../setup/build-test-service.ts';

describe('LLM_PRICES reaches the cost estimate of every run', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await buildTestService({
      LLM_PRICES: JSON.stringify({
        'my-llama-70b': { inputPerMillionUsd: 0.2, outputPerMillionUsd: 0.6 },
        'gpt-4.1-mini': { inputPerMillionUsd: 0.3, outputPerMillionUsd: 1.2 },
      }),
    });
  });
  afterAll(async () => {
    await service.close();
  });

  it('prices a model the list does not know, overrides a listed one and keeps the rest', () => {
    const prices = composeAgent(service.core).agentDeps.prices!;
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(estimateCostUsd(prices, 'my-llama-70b', usage)).toBeCloseTo(0.8);
    expect(estimateCostUsd(prices, 'gpt-4.1-mini-2025-04-14', usage)).toBeCloseTo(1.5);
    expect(prices['gpt-4.1']).toEqual(DEFAULT_PRICE_TABLE['gpt-4.1']);
  });
});
