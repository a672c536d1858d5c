import { describe, expect, it } from 'vitest';

import { inboxSettingsSchema } from '../../src/agent/settings/inbox-settings-schema.ts';
import { DEFAULT_PIPELINE_TIMINGS } from '../../src/pipeline/pipeline-deps.ts';
import { MAX_RESPONDER_RUN_MS } from '../../src/pipeline/responder.ts';

/**
 * Regression: an inbox may give the agent up to 10 minutes per run, but the pipeline cut every run
 * at 120 s — a slow but allowed run was aborted as `run_timeout` and retried instead of ending with
 * the agent's own clean handoff. The bounds are now nested: agent ≤ pipeline.
 */
describe('run time bounds', () => {
  it('an inbox can configure the agent up to MAX_RESPONDER_RUN_MS, and no further', () => {
    expect(inboxSettingsSchema.safeParse({ limits: { runTimeoutMs: MAX_RESPONDER_RUN_MS } }).success).toBe(
      true,
    );
    expect(
      inboxSettingsSchema.safeParse({ limits: { runTimeoutMs: MAX_RESPONDER_RUN_MS + 1 } }).success,
    ).toBe(false);
  });

  it("the pipeline's bound on a run lies above the longest agent run", () => {
    // (The reply's claim lives as long as its worker refreshes it, however long the run.)
    expect(DEFAULT_PIPELINE_TIMINGS.runTimeoutMs).toBeGreaterThan(MAX_RESPONDER_RUN_MS);
  });
});
