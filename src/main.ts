import { runCli } from './cli/run-cli.ts';

const code = await runCli(process.argv);
if (code !== 0) process.exit(code);
