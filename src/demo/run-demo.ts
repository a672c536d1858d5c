import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { updateInboxSettings } from '../agent/settings/update-inbox-settings.ts';
import { composeCore } from '../compose.ts';
import { composeAgentPipeline } from '../compose-responder.ts';
import { loadConfig } from '../config/load-config.ts';
import { ingestSampleKnowledgeBase } from '../knowledge/eval/ingest-sample-knowledge-base.ts';
import { createEmbedderFromConfig } from '../knowledge/embed/create-embedder-from-config.ts';
import { createLogger } from '../logging/create-logger.ts';
import { startService } from '../service/start-service.ts';
import { createChatwootSimulator } from '../simulator/create-chatwoot-simulator.ts';
import { DEMO_BOT_SECRET, DEMO_BOT_TOKEN, DEMO_INBOX_ID, demoWorld } from './demo-world.ts';
import { playDemoScript, type DemoCheck } from './play-demo-script.ts';

export interface DemoOptions {
  readonly print?: (line: string) => void;
  /** Longest wait for each bot answer. */
  readonly waitMs?: number;
  /** Settings that win over the environment (tests force the offline responder). */
  readonly overrides?: Readonly<Record<string, string>>;
}

/**
 * `chatwoot-agent demo`: the whole product on the embedded default (a fresh PGlite in a temporary
 * directory), the Chatwoot simulator, the bundled ACME help centre, and a scripted conversation.
 * Uses the offline responder unless a model is configured. Resolves to the checks; the CLI exits 0
 * only when all of them passed.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoCheck[]> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatwoot-agent-demo-'));
  const sim = createChatwootSimulator({ world: demoWorld(), seed: 2026, retryDelayMs: 500 });
  const { baseUrl } = await sim.start();
  const config = loadConfig({
    overrides: {
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      DATABASE_HOST: '',
      DATABASE_NAME: '',
      HOST: '127.0.0.1',
      PORT: '0',
      CHATWOOT_BASE_URL: baseUrl,
      CHATWOOT_API_TOKEN: DEMO_BOT_TOKEN,
      CHATWOOT_WEBHOOK_SECRET: DEMO_BOT_SECRET,
      CHATWOOT_ALLOW_UNSIGNED: 'false',
      CONNECTIONS: '',
      REPLY_DEBOUNCE_MS: '1500',
      REPLY_MAX_WAIT_MS: '6000',
      LOG_LEVEL: 'warn',
      // The simulator is not rate limited; the product default (60/min per account) would only slow the script down.
      CHATWOOT_RATE_LIMIT_PER_MINUTE: '6000',
      CHATWOOT_RATE_LIMIT_BURST: '100',
      ...options.overrides,
    },
  });
  const logger = createLogger({ level: config.log.level });
  const core = await composeCore(config, { logger });
  const pipeline = composeAgentPipeline(core);
  try {
    print(`chatwoot-agent demo — embedded PostgreSQL in ${dataDir}, Chatwoot simulator at ${baseUrl}`);
    print(
      `answering with: ${config.llm.provider === 'none' ? 'the offline responder (no model configured)' : `${config.llm.provider} ${config.llm.model ?? ''}`}`,
    );
    const embedder = createEmbedderFromConfig(config.embedding);
    const ingested = await ingestSampleKnowledgeBase({
      db: core.database.db,
      logger,
      ...(embedder ? { embedder } : {}),
    });
    print(
      `knowledge: the ACME help centre (English, Portuguese, Spanish, FAQ) — ${ingested.result.documentCount} documents, ${ingested.result.chunksInserted} passages`,
    );
    await updateInboxSettings(
      { db: core.database.db },
      {
        connection: 'default',
        inboxId: DEMO_INBOX_ID,
        author: 'demo',
        patch: {
          name: 'ACME Assistant',
          handoffActions: {
            customerMessage: "I'm passing you to one of our team now — they'll reply here shortly.",
          },
        },
      },
    );
    const service = await startService(core, {
      role: 'all',
      handlers: pipeline.handlers,
    });
    sim.setBotOutgoingUrl(7, `${service.url}/webhooks/chatwoot`);
    print(`service listening at ${service.url}; Chatwoot sends its webhooks there, signed\n`);
    try {
      const checks = await playDemoScript(
        sim,
        { print, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
        options.waitMs ?? 20_000,
      );
      const failed = checks.filter((check) => !check.passed);
      print(
        `\n${checks.length - failed.length} of ${checks.length} demo checks passed${failed.length ? ` — FAILED: ${failed.map((check) => check.name).join('; ')}` : ''}`,
      );
      return checks;
    } finally {
      await service.stop();
    }
  } finally {
    await core.close();
    await pipeline.close();
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
