import { coerceError } from '../errors/coerce-error.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { JobSource, SourcedJob } from './job-source.ts';

/** A job a queue loop is running, as its heartbeat sees it. */
export interface HeartbeatEntry<J extends SourcedJob> {
  /** Settles and heartbeats are fenced to the claim that was fetched (the source keeps it in the job). */
  readonly job: J;
  /** The handler has returned (its settle may still be pending or retrying). */
  finished: boolean;
  /** A heartbeat found the job no longer active under this claim. */
  claimLost: boolean;
}

export interface JobHeartbeat {
  /** Re-reads the running jobs' windows: call after a job starts or ends. */
  refresh(): void;
  /** No more beats, for good (the loop halted). */
  halt(): void;
}

/**
 * One timer per queue refreshes every running job that has a heartbeat in one `touch` call, at
 * half the shortest heartbeat window among them: pg-boss's worker refreshes at heartbeatSeconds / 2
 * (heartbeatRefreshSeconds) and supervision fails a job whose refresh is heartbeatSeconds old.
 * A job whose claim the source no longer holds is marked `claimLost` and beats no more.
 */
export function createJobHeartbeat<J extends SourcedJob>(deps: {
  readonly logger: Logger;
  readonly queue: string;
  readonly source: JobSource<J>;
  /** The loop's running jobs by id. */
  readonly running: ReadonlyMap<string, HeartbeatEntry<J>>;
}): JobHeartbeat {
  const { logger, queue, source, running } = deps;
  let timer: { readonly interval: NodeJS.Timeout; readonly periodMs: number } | undefined;
  let touching = false;
  let halted = false;

  function refresh(): void {
    let windowMs = Infinity;
    for (const entry of running.values()) {
      if (entry.job.heartbeatMs > 0 && !entry.claimLost) windowMs = Math.min(windowMs, entry.job.heartbeatMs);
    }
    const periodMs = Number.isFinite(windowMs) && !halted ? windowMs / 2 : 0;
    if (timer?.periodMs === periodMs) return;
    if (timer) clearInterval(timer.interval);
    timer = periodMs > 0 ? { periodMs, interval: setInterval(() => void touch(), periodMs) } : undefined;
  }

  async function touch(): Promise<void> {
    if (touching) return;
    const held = [...running.values()].filter((entry) => entry.job.heartbeatMs > 0 && !entry.claimLost);
    if (held.length === 0) return;
    touching = true;
    try {
      const refreshed = await source.touch(held.map((entry) => entry.job));
      if (!refreshed) return;
      let lost = false;
      for (const entry of held) {
        if (refreshed.has(entry.job.id) || entry.finished || running.get(entry.job.id) !== entry) continue;
        entry.claimLost = true;
        lost = true;
        logger.warn(
          { queue, jobId: entry.job.id },
          'running job is no longer held under its claim (heartbeat missed, expired or cancelled); it runs again elsewhere',
        );
      }
      if (lost) refresh();
    } catch (thrown) {
      logger.warn(
        { queue, err: coerceError(thrown), jobs: held.length },
        'job heartbeat failed; retrying on the next beat',
      );
    } finally {
      touching = false;
    }
  }

  return {
    refresh,
    halt() {
      halted = true;
      refresh();
    },
  };
}
