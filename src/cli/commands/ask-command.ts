import type { Command } from 'commander';

import { askAgent } from '../../agent/ask-agent.ts';
import { formatAskResult } from '../../agent/format-ask-result.ts';
import type { Config } from '../../config/config.ts';
import { createEmbedderFromConfig } from '../../knowledge/embed/create-embedder-from-config.ts';
import { createKnowledgeSearch } from '../../knowledge/search/create-knowledge-search.ts';
import { createLogger } from '../../logging/create-logger.ts';
import { parseInteger, withCliDatabase } from '../open-cli-database.ts';

/** `chatwoot-agent ask "<question>" [--inbox <id>]`: the same agent, in the terminal, no Chatwoot needed. */
export function registerAskCommand(program: Command, loadConfig: () => Config): void {
  program
    .command('ask')
    .description('ask the agent a question in the terminal; shows the answer, its sources and the decision')
    .argument('<question>', 'what a customer would write')
    .option('--inbox <id>', 'use this inbox’s settings')
    .option('--connection <name>', 'Chatwoot connection whose settings apply', 'default')
    .option('-v, --verbose', 'show every retrieved passage, tool call and the usage')
    .action(async (question: string, options: { inbox?: string; connection: string; verbose?: boolean }) => {
      const config = loadConfig();
      const logger = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level });
      await withCliDatabase(config, async ({ db }) => {
        const embedder = createEmbedderFromConfig(config.embedding);
        const knowledge = createKnowledgeSearch({ db, logger, ...(embedder ? { embedder } : {}) });
        const result = await askAgent(
          { db, logger, llm: config.llm, knowledge },
          {
            question,
            connection: options.connection,
            inboxId: options.inbox === undefined ? null : parseInteger(options.inbox, '--inbox'),
          },
        );
        process.stdout.write(formatAskResult(result, { verbose: options.verbose === true }));
      });
    });
}
