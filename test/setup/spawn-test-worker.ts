import { spawn } from 'node:child_process';
import path from 'node:path';

import { freePort, type SpawnedService } from '../service/spawn-service.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Starts `slow-worker-entry.ts` (the real worker composition with a slow scripted responder) in a
 * child process with exactly `env`, like `spawnService` does for the CLI.
 */
export async function spawnTestWorker(
  env: Record<string, string>,
  responderDelayMs: number,
): Promise<SpawnedService> {
  const port = await freePort();
  let output = '';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/setup/slow-worker-entry.ts'), String(responderDelayMs)],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, exited };
}
