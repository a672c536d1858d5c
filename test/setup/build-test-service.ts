import { Writable } from 'node:stream';

import { loadConfig } from '../../src/config/load-config.ts';
import { composeCore, type CoreDeps } from '../../src/compose.ts';
import type { TaskHandlers } from '../../src/jobs/start-worker.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { createLogContextStore } from '../../src/logging/log-context.ts';
import { startService, type RunningService, type ServiceOptions } from '../../src/service/start-service.ts';
import { createTestDatabase } from './test-database.ts';

export const TEST_SECRET = 'test-webhook-secret-0123456789';

export interface TestService {
  core: CoreDeps;
  service: RunningService;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

const idleHandlers: TaskHandlers = {
  reply: () => Promise.resolve(),
  'conversation-signal': () => Promise.resolve(),
  'episode-summary': () => Promise.resolve(),
  'knowledge-sync': () => Promise.resolve(),
};

/** The production service on a fresh test database, with captured logs; no port unless asked. */
export async function buildTestService(
  env: Record<string, string> = {},
  options: Partial<ServiceOptions> = {},
): Promise<TestService> {
  const config = loadConfig({
    env: {
      CHATWOOT_WEBHOOK_SECRET: TEST_SECRET,
      CHATWOOT_BASE_URL: 'http://127.0.0.1:9',
      CHATWOOT_API_TOKEN: 'bot-token',
      LOG_LEVEL: 'debug',
      PORT: '0',
      HOST: '127.0.0.1',
      ...env,
    },
  });
  const logs: Record<string, unknown>[] = [];
  const logContext = createLogContextStore();
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', context: logContext, destination });
  const database = await createTestDatabase();
  const core = await composeCore(config, { database, logger, logContext });
  const service = await startService(core, {
    role: 'web',
    handlers: idleHandlers,
    listen: false,
    ...options,
  });
  return {
    core,
    service,
    logs,
    close: async () => {
      await service.stop();
      await core.close();
    },
  };
}
