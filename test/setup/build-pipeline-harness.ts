import { composePipeline, type ComposedPipeline, type PipelineOverrides } from '../../src/compose-service.ts';
import { countPendingWork } from './count-pending-work.ts';
import type { PipelineTimings } from '../../src/pipeline/pipeline-deps.ts';
import {
  createChatwootSimulator,
  type ChatwootSimulator,
  type ChatwootSimulatorOptions,
} from '../../src/simulator/create-chatwoot-simulator.ts';
import { defaultSimulatorSeed } from '../../src/simulator/simulator-options.ts';
import { startService } from '../../src/service/start-service.ts';
import { buildTestService, type TestService } from './build-test-service.ts';
import { createScriptedResponder, type ScriptedResponder } from './scripted-responder.ts';

export const BOT_TOKEN = 'bot-access-token-7';
export const BOT_SECRET = 'bot-webhook-secret-0123456789';
export const INBOX_ID = 3;

export interface PipelineHarness {
  sim: ChatwootSimulator;
  app: TestService;
  pipeline: ComposedPipeline;
  responder: ScriptedResponder;
  /** Waits until Chatwoot has delivered every webhook and no reply job is pending or running. */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  simulator?: ChatwootSimulatorOptions;
  responder?: ScriptedResponder;
  pipeline?: Partial<PipelineOverrides>;
  /** Pipeline timings over the harness's (which show typing at once, as most tests expect). */
  timings?: Partial<PipelineTimings>;
}

/** The Chatwoot simulator and the real service (HTTP + worker) talking to each other over HTTP. */
export async function buildPipelineHarness(options: HarnessOptions = {}): Promise<PipelineHarness> {
  const seed = defaultSimulatorSeed();
  seed.agentBots[0] = { ...seed.agentBots[0]!, accessToken: BOT_TOKEN, secret: BOT_SECRET };
  const sim = createChatwootSimulator({ seed: 7, retryDelayMs: 100, world: seed, ...options.simulator });
  const { baseUrl } = await sim.start();
  const responder = options.responder ?? createScriptedResponder();
  const app = await buildTestService(
    {
      CHATWOOT_BASE_URL: baseUrl,
      CHATWOOT_API_TOKEN: BOT_TOKEN,
      CHATWOOT_WEBHOOK_SECRET: BOT_SECRET,
      CHATWOOT_RATE_LIMIT_PER_MINUTE: '100000',
      CHATWOOT_RATE_LIMIT_BURST: '1000',
      CHATWOOT_TIMEOUT_MS: '2000',
      REPLY_DEBOUNCE_MS: '300',
      REPLY_MAX_WAIT_MS: '3000',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    { listen: false },
  );
  // Rebuild the service with the real pipeline and a port, as `serve` does.
  await app.service.stop();
  const pipeline = composePipeline(app.core, {
    responder,
    timings: { ownershipPollMs: 100, reconcileWindowMs: 1_000, typingDelayMs: 0, ...options.timings },
    clientPolicy: { initialDelayMs: 20, maxDelayMs: 200, breakerCooldownMs: 500, maxRetries: 6 },
    ...options.pipeline,
  });
  const service = await startService(app.core, { role: 'all', handlers: pipeline.handlers });
  app.service = service;
  sim.setBotOutgoingUrl(7, `${service.url}/webhooks/chatwoot`);

  const settle = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let quietSince = 0;
    while (Date.now() < deadline) {
      await sim.idle();
      if ((await countPendingWork(app.core.database.db)) === 0) {
        quietSince ||= Date.now();
        if (Date.now() - quietSince > 400) return;
      } else {
        quietSince = 0;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('pipeline did not settle in time');
  };

  return {
    sim,
    app,
    pipeline,
    responder,
    settle,
    close: async () => {
      await app.close();
      await pipeline.close();
      await sim.stop();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
