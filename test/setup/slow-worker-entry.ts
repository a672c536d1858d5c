/**
 * Test-only process entry: the production composition (config from the environment, core,
 * pipeline, `startService` with role `worker`) with a scripted responder that takes
 * `argv[2]` ms to answer, so a test can kill the worker mid-run. Production never imports this;
 * the CLI has no way to pick a scripted responder.
 *
 * Usage: node --import tsx test/setup/slow-worker-entry.ts <responderDelayMs>
 */
import { composePipeline } from '../../src/compose-service.ts';
import { composeCore } from '../../src/compose.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { startService } from '../../src/service/start-service.ts';
import { createScriptedResponder } from './scripted-responder.ts';

const delayMs = Number(process.argv[2] ?? '0');
const config = loadConfig();
const core = await composeCore(config);
const responder = createScriptedResponder({ delayMs });
const pipeline = composePipeline(core, {
  responder: {
    respond: (input) => {
      core.logger.info(
        { conversationId: input.conversation.chatwootConversationId, delayMs },
        'test responder started',
      );
      return responder.respond(input);
    },
  },
  timings: { ownershipPollMs: 200, reconcileWindowMs: 1_000, typingDelayMs: 0 },
  clientPolicy: { initialDelayMs: 20, maxDelayMs: 200, breakerCooldownMs: 500, maxRetries: 6 },
});
const service = await startService(core, { role: 'worker', handlers: pipeline.handlers });
core.logger.info({ url: service.url, pid: process.pid }, 'test worker is running');
process.once('SIGTERM', () => {
  void service
    .stop()
    .then(() => core.close())
    .then(() => process.exit(0));
});
