import type { Command } from 'commander';

import { composeCore } from '../../compose.ts';
import { composeAgentPipeline } from '../../compose-responder.ts';
import type { Config } from '../../config/config.ts';
import { startService, type ServiceRole } from '../../service/start-service.ts';

/**
 * `chatwoot-agent serve [--role web|worker|all]`. SIGTERM/SIGINT: stop accepting, finish in-flight
 * requests and jobs up to SHUTDOWN_TIMEOUT_MS, close the queue, then the database.
 */
export function registerServeCommand(program: Command, loadConfig: () => Config): void {
  program
    .command('serve')
    .description('run the webhook server and the reply worker')
    .option('--role <role>', 'web | worker | all', 'all')
    .action(async (options: { role: string }) => {
      if (!['web', 'worker', 'all'].includes(options.role))
        throw new Error(`--role must be web, worker or all (got "${options.role}")`);
      const config = loadConfig();
      const core = await composeCore(config);
      const pipeline = composeAgentPipeline(core);
      const service = await startService(core, {
        role: options.role as ServiceRole,
        handlers: pipeline.handlers,
      });
      core.logger.info(
        {
          url: service.url,
          role: options.role,
          database: config.database.kind,
          model:
            config.llm.provider === 'none'
              ? 'offline responder'
              : `${config.llm.provider}:${config.llm.model}`,
        },
        'chatwoot-agent is running',
      );

      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        core.logger.info({ signal }, 'shutting down');
        const deadline = setTimeout(() => {
          core.logger.error('shutdown deadline passed; exiting');
          process.exit(1);
        }, config.worker.shutdownTimeoutMs + 5_000);
        deadline.unref();
        void (async () => {
          await service.stop();
          await core.close();
          await pipeline.close();
          core.logger.flush();
          process.exitCode = 0;
        })();
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}
