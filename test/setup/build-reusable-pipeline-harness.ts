import { sql } from 'drizzle-orm';

import { composePipeline, type ComposedPipeline } from '../../src/compose-service.ts';
import { countPendingWork } from './count-pending-work.ts';
import type { ReplyTiming } from '../../src/ingress/record-webhook-delivery.ts';
import type { Responder, ResponderInput } from '../../src/pipeline/responder.ts';
import {
  createChatwootSimulator,
  defaultSimulatorSeed,
  type ChatwootSimulator,
} from '../../src/simulator/create-chatwoot-simulator.ts';
import { startService } from '../../src/service/start-service.ts';
import { BOT_SECRET, BOT_TOKEN } from './build-pipeline-harness.ts';
import { buildTestService, type TestService } from './build-test-service.ts';
import { createScriptedResponder, type ScriptedResponder } from './scripted-responder.ts';

/** One responder run as the test saw it: when it started and which Chatwoot messages it answered. */
export interface RecordedRun {
  readonly startedAt: number;
  readonly conversationId: number;
  readonly messageIds: readonly number[];
}

export interface ReusablePipelineHarness {
  readonly sim: ChatwootSimulator;
  readonly app: TestService;
  readonly pipeline: ComposedPipeline;
  /** Scripted: "Re: <texts joined by ' | '>", hands off when a message asks for a human. `delayMs` is mutable. */
  readonly responder: ScriptedResponder;
  /** Debounce and max wait the webhook route uses from now on (mutable). */
  readonly timing: { debounceMs: number; maxWaitMs: number };
  readonly runs: RecordedRun[];
  /** Waits until Chatwoot delivered every webhook and no job is queued, retrying or active. */
  settle(timeoutMs?: number): Promise<void>;
  /** Settles, then empties the simulator and every pipeline table so the next scenario starts clean. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Tables the pipeline writes; emptied between scenarios (the schema and pg-boss queues stay). */
const PIPELINE_TABLES = [
  'reply_decisions',
  'outbound_messages',
  'ownership_transitions',
  'transcript_messages',
  'webhook_deliveries',
  'agent_runs',
  'contact_episode_summaries',
  'contact_facts',
  'conversations',
  'contacts',
];

/**
 * Like `buildPipelineHarness` (the simulator and the real service over HTTP), but built once and
 * reused across many scenarios — a property test cannot afford a fresh database and service per
 * run — with the debounce window and the responder's delay adjustable between scenarios and
 * every responder run recorded.
 */
export async function buildReusablePipelineHarness(
  options: {
    env?: Record<string, string>;
    clientPolicy?: Parameters<typeof composePipeline>[1]['clientPolicy'];
  } = {},
): Promise<ReusablePipelineHarness> {
  const seed = defaultSimulatorSeed();
  seed.agentBots[0] = { ...seed.agentBots[0]!, accessToken: BOT_TOKEN, secret: BOT_SECRET };
  const sim = createChatwootSimulator({ seed: 7, retryDelayMs: 100, world: seed });
  const { baseUrl } = await sim.start();
  const scripted = createScriptedResponder();
  const runs: RecordedRun[] = [];
  const recording: Responder = {
    respond(input: ResponderInput) {
      runs.push({
        startedAt: Date.now(),
        conversationId: input.conversation.chatwootConversationId,
        messageIds: input.newMessages.map((message) => message.chatwootMessageId),
      });
      return scripted.respond(input);
    },
  };
  const timing = { debounceMs: 300, maxWaitMs: 10_000 };
  const app = await buildTestService(
    {
      CHATWOOT_BASE_URL: baseUrl,
      CHATWOOT_API_TOKEN: BOT_TOKEN,
      CHATWOOT_WEBHOOK_SECRET: BOT_SECRET,
      CHATWOOT_RATE_LIMIT_PER_MINUTE: '100000',
      CHATWOOT_RATE_LIMIT_BURST: '1000',
      CHATWOOT_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    { listen: false },
  );
  await app.service.stop();
  const pipeline = composePipeline(app.core, {
    responder: recording,
    timings: { ownershipPollMs: 100, reconcileWindowMs: 1_000, typingDelayMs: 0 },
    clientPolicy: {
      initialDelayMs: 20,
      maxDelayMs: 200,
      breakerCooldownMs: 500,
      maxRetries: 6,
      ...options.clientPolicy,
    },
  });
  app.service = await startService(app.core, {
    role: 'all',
    handlers: pipeline.handlers,
    replyTiming: (): Promise<ReplyTiming> => Promise.resolve({ ...timing }),
  });
  sim.setBotOutgoingUrl(7, `${app.service.url}/webhooks/chatwoot`);
  const db = app.core.database.db;

  const settle = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    let quietSince = 0;
    while (Date.now() < deadline) {
      await sim.idle();
      if ((await countPendingWork(db)) === 0) {
        quietSince ||= Date.now();
        if (Date.now() - quietSince > 400) return;
      } else {
        quietSince = 0;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`pipeline did not settle within ${timeoutMs} ms`);
  };

  return {
    sim,
    app,
    pipeline,
    responder: scripted,
    timing,
    runs,
    settle,
    async reset() {
      sim.faults.clear();
      await settle();
      sim.reset();
      runs.length = 0;
      scripted.calls.length = 0;
      await db.execute(sql.raw(`truncate ${PIPELINE_TABLES.join(', ')} cascade`));
      await db.execute(sql`delete from pgboss.job`);
    },
    close: async () => {
      await app.close();
      await pipeline.close();
      await sim.stop();
    },
  };
}
