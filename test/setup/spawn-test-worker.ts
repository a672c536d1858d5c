import { spawnScript, type SpawnedService } from '../service/spawn-service.ts';

/**
 * Starts `slow-worker-entry.ts` (the real worker composition with a slow scripted responder) in a
 * child process with exactly `env`, like `spawnService` does for the CLI.
 */
export function spawnTestWorker(
  env: Record<string, string>,
  responderDelayMs: number,
): Promise<SpawnedService> {
  return spawnScript('test/setup/slow-worker-entry.ts', [String(responderDelayMs)], env);
}
