import { Command, CommanderError } from 'commander';

import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/load-config.ts';
import { isAppError } from '../errors/app-error.ts';
import { registerAskCommand } from './commands/ask-command.ts';
import { registerConfigCommand } from './commands/config-command.ts';
import { registerDemoCommand } from './commands/demo-command.ts';
import { registerKnowledgeCommands } from './commands/knowledge-commands.ts';
import { registerMemoryCommand } from './commands/memory-command.ts';
import { registerMigrateCommand } from './commands/migrate-command.ts';
import { registerServeCommand } from './commands/serve-command.ts';

/** Builds the `chatwoot-agent` command line and runs it; returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = new Command('chatwoot-agent')
    .description('Self-hosted AI agent for Chatwoot')
    .option('-c, --config <file>', 'config file (JSON or YAML); otherwise CONFIG_FILE')
    .exitOverride();
  const config = (): Config => loadConfig({ configFile: program.opts<{ config?: string }>().config });
  registerServeCommand(program, config);
  registerMigrateCommand(program, config);
  registerDemoCommand(program);
  registerAskCommand(program, config);
  registerConfigCommand(program, config);
  registerMemoryCommand(program, config);
  registerKnowledgeCommands(program, config);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isAppError(error)) {
      process.stderr.write(`chatwoot-agent: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`chatwoot-agent: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
