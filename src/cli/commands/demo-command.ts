import type { Command } from 'commander';

import { runDemo } from '../../demo/run-demo.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('play a scripted conversation against a bundled Chatwoot simulator on the embedded database')
    .action(async () => {
      const checks = await runDemo();
      if (checks.some((check) => !check.passed)) process.exitCode = 1;
    });
}
