import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

import { AppError } from '../errors/app-error.ts';

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/**
 * PGlite takes no lock of its own, so two processes opening one data directory would corrupt it.
 * The lock is a file holding the owner's pid, created with O_EXCL. A lock whose pid is no longer
 * alive (the owner was killed) is taken over at once: a restart after `kill -9` must not wait for
 * a staleness timeout, which is why this is not a mtime-based lock such as proper-lockfile.
 */
export function acquireDataDirLock(
  dataDir: string,
  isAlive: (pid: number) => boolean = isProcessAlive,
): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'chatwoot-agent.lock');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { file, release: () => releaseIfOwned(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(file);
      if (owner !== null && owner !== process.pid && isAlive(owner)) {
        throw new AppError('database_locked', {
          message: `The embedded database in ${dataDir} is in use by another chatwoot-agent process (pid ${owner}). Stop it first, or point DATA_DIR elsewhere, or use DATABASE_URL for several processes.`,
          details: { pid: owner, dataDir },
        });
      }
      rmSync(file, { force: true });
    }
  }
  throw new AppError('database_locked', {
    message: `Could not take the lock on ${dataDir}`,
    details: { dataDir },
  });
}

function readOwner(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function releaseIfOwned(file: string): void {
  if (readOwner(file) === process.pid) rmSync(file, { force: true });
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
