/**
 * Group commit: items submitted while a batch is being written wait and are written together in
 * the next one — one transaction, one set of statements and one WAL flush for many webhook
 * deliveries. Nothing waits on a timer: a batch starts in the event loop's next check phase
 * (setImmediate), after the requests that arrived in the same poll phase were all submitted, so
 * latency at low load stays that of a single transaction and batches grow only as deliveries queue
 * up. Without that turn, a database whose queries resolve without yielding to I/O (PGlite runs in
 * this thread) would write every delivery alone.
 *
 * Items that share a conflict key (the same conversation, the same delivery) are never in flight
 * in two batches at once, and keep their arrival order: events of one conversation apply one after
 * the other exactly as they would one transaction at a time. A key the `shareable` option accepts
 * (a conversation) may be held by several items of one batch, in arrival order: the writer then
 * decides them in that order, so a burst that arrives together is committed together.
 */
export interface GroupCommitOptions<I, O> {
  /** Most items written in one batch. */
  readonly maxBatchSize: number;
  /**
   * With `sizeOf`: a batch stops growing once its items' sizes reach this (its first item is always
   * taken), so a run of large webhook bodies cannot make one statement of hundreds of megabytes.
   */
  readonly maxBatchBytes?: number;
  readonly sizeOf?: (item: I) => number;
  /** Batches written at once (each holds a database connection; 1 on the embedded database). */
  readonly maxConcurrentBatches: number;
  readonly conflictKeys: (item: I) => readonly string[];
  /** Keys that several items of one batch may hold (never two batches in flight). */
  readonly shareable?: (key: string) => boolean;
  /** Writes a batch; returns one result per item, in order. */
  readonly writeBatch: (items: readonly I[]) => Promise<readonly O[]>;
  /**
   * Called when a batch of several items failed: each item is then written alone, so one poison
   * delivery (or a deadlock between batches) cannot fail the deliveries it happened to share a
   * batch with.
   */
  readonly onBatchFailure?: (error: unknown, size: number) => void;
}

export interface GroupCommitter<I, O> {
  submit(item: I): Promise<O>;
}

interface Pending<I, O> {
  readonly item: I;
  readonly keys: readonly string[];
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

export function createGroupCommitter<I, O>(options: GroupCommitOptions<I, O>): GroupCommitter<I, O> {
  const pending: Pending<I, O>[] = [];
  const keysInFlight = new Set<string>();
  let batchesInFlight = 0;
  let pumpScheduled = false;

  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  }

  const shareable = options.shareable ?? (() => false);
  const sizeOf = options.sizeOf ?? (() => 0);
  const maxBatchBytes = options.maxBatchBytes ?? Infinity;

  function takeBatch(): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    const inBatch = new Set<string>();
    const blocked = new Set<string>();
    let bytes = 0;
    for (
      let index = 0;
      index < pending.length && batch.length < options.maxBatchSize && bytes < maxBatchBytes;
    ) {
      const entry = pending[index]!;
      if (
        entry.keys.some(
          (key) => keysInFlight.has(key) || blocked.has(key) || (inBatch.has(key) && !shareable(key)),
        )
      ) {
        // Blocked: it stays queued, and so does every later item with one of its keys, which
        // keeps the per-key order.
        for (const key of entry.keys) blocked.add(key);
        index += 1;
        continue;
      }
      for (const key of entry.keys) inBatch.add(key);
      bytes += sizeOf(entry.item);
      batch.push(entry);
      pending.splice(index, 1);
    }
    return batch;
  }

  function pump(): void {
    while (batchesInFlight < options.maxConcurrentBatches && pending.length > 0) {
      const batch = takeBatch();
      if (batch.length === 0) return;
      batchesInFlight += 1;
      for (const entry of batch) for (const key of entry.keys) keysInFlight.add(key);
      void write(batch).finally(() => {
        for (const entry of batch) for (const key of entry.keys) keysInFlight.delete(key);
        batchesInFlight -= 1;
        schedulePump();
      });
    }
  }

  async function write(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await options.writeBatch(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      options.onBatchFailure?.(error, batch.length);
      for (const entry of batch) {
        try {
          const [result] = await options.writeBatch([entry.item]);
          entry.resolve(result!);
        } catch (alone) {
          entry.reject(alone);
        }
      }
    }
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        pending.push({ item, keys: options.conflictKeys(item), resolve, reject });
        schedulePump();
      });
    },
  };
}
