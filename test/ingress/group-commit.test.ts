import { describe, expect, it } from 'vitest';

import { createGroupCommitter } from '../../src/ingress/group-commit.ts';

interface Item {
  readonly id: string;
  readonly keys: readonly string[];
}

/** A writer that records every batch and lets the test finish them one by one. */
function recordingWriter(options: { failWhen?: (item: Item) => boolean } = {}) {
  const batches: string[][] = [];
  const open: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const writeBatch = async (items: readonly Item[]) => {
    batches.push(items.map((item) => item.id));
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => open.push(resolve));
    inFlight -= 1;
    if (items.some((item) => options.failWhen?.(item))) throw new Error('poison in batch');
    return items.map((item) => `written:${item.id}`);
  };
  /** Finishes every open batch, repeatedly, until no new batch starts for a few event-loop turns. */
  const drain = async () => {
    for (let idleTurns = 0; idleTurns < 5;) {
      await new Promise((resolve) => setImmediate(resolve));
      const finishing = open.splice(0);
      idleTurns = finishing.length === 0 ? idleTurns + 1 : 0;
      for (const finish of finishing) finish();
    }
  };
  return { batches, writeBatch, drain, maxInFlight: () => maxInFlight };
}

const item = (id: string, ...keys: string[]): Item => ({ id, keys: keys.length > 0 ? keys : [id] });

describe('group commit', () => {
  it('writes deliveries that arrive together as one batch, and a lone one alone', async () => {
    const writer = recordingWriter();
    const committer = createGroupCommitter<Item, string>({
      maxBatchSize: 100,
      maxConcurrentBatches: 1,
      conflictKeys: (entry) => entry.keys,
      writeBatch: writer.writeBatch,
    });
    const together = ['a', 'b', 'c', 'd'].map((id) => committer.submit(item(id)));
    await writer.drain();
    expect(await Promise.all(together)).toEqual(['written:a', 'written:b', 'written:c', 'written:d']);
    const alone = committer.submit(item('e'));
    await writer.drain();
    expect(await alone).toBe('written:e');
    expect(writer.batches).toEqual([['a', 'b', 'c', 'd'], ['e']]);
  });

  it('stops a batch at its byte budget, and still writes an item larger than the budget alone', async () => {
    const writer = recordingWriter();
    const sizes: Record<string, number> = { a: 4, b: 4, c: 4, d: 20, e: 1 };
    const committer = createGroupCommitter<Item, string>({
      maxBatchSize: 100,
      maxBatchBytes: 10,
      sizeOf: (entry) => sizes[entry.id]!,
      maxConcurrentBatches: 1,
      conflictKeys: (entry) => entry.keys,
      writeBatch: writer.writeBatch,
    });
    const all = ['a', 'b', 'c', 'd', 'e'].map((id) => committer.submit(item(id)));
    await writer.drain();
    await Promise.all(all);
    // a+b+c reach 12 >= 10: the batch stops there; d alone exceeds the budget and is written alone.
    expect(writer.batches).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
  });

  it('queues what arrives during a write into the next batch, up to the batch size', async () => {
    const writer = recordingWriter();
    const committer = createGroupCommitter<Item, string>({
      maxBatchSize: 3,
      maxConcurrentBatches: 1,
      conflictKeys: (entry) => entry.keys,
      writeBatch: writer.writeBatch,
    });
    const first = committer.submit(item('1'));
    await new Promise((resolve) => setImmediate(resolve));
    const later = ['2', '3', '4', '5'].map((id) => committer.submit(item(id)));
    await writer.drain();
    await Promise.all([first, ...later]);
    expect(writer.batches).toEqual([['1'], ['2', '3', '4'], ['5']]);
  });

  it('never writes two items with a shared key together or at once, and keeps their order', async () => {
    const writer = recordingWriter();
    const committer = createGroupCommitter<Item, string>({
      maxBatchSize: 100,
      maxConcurrentBatches: 4,
      conflictKeys: (entry) => entry.keys,
      writeBatch: writer.writeBatch,
    });
    const results = [
      committer.submit(item('c1-m1', 'conversation:1')),
      committer.submit(item('c2-m1', 'conversation:2')),
      committer.submit(item('c1-m2', 'conversation:1')),
      committer.submit(item('c1-m3', 'conversation:1', 'delivery:x')),
      committer.submit(item('c3-m1', 'conversation:3', 'delivery:x')),
    ];
    await writer.drain();
    await Promise.all(results);
    expect(writer.batches).toEqual([['c1-m1', 'c2-m1'], ['c1-m2'], ['c1-m3'], ['c3-m1']]);
  });

  it('lets one batch hold several items with a shareable key, in order, but never two batches', async () => {
    const writer = recordingWriter();
    const committer = createGroupCommitter<Item, string>({
      maxBatchSize: 100,
      maxConcurrentBatches: 4,
      conflictKeys: (entry) => entry.keys,
      shareable: (key) => key.startsWith('conversation:'),
      writeBatch: writer.writeBatch,
    });
    const first = committer.submit(item('c1-m1', 'conversation:1', 'delivery:1'));
    await new Promise((resolve) => setImmediate(resolve));
    // c1-m1 is in flight: everything of conversation 1 waits for it, then goes together.
    const results = [
      first,
      committer.submit(item('c1-m2', 'conversation:1', 'delivery:2')),
      committer.submit(item('c2-m1', 'conversation:2', 'delivery:3')),
      committer.submit(item('c1-m3', 'conversation:1', 'delivery:4')),
      // The same delivery twice is never in one batch, even within a shared conversation.
      committer.submit(item('c1-m3-again', 'conversation:1', 'delivery:4')),
      committer.submit(item('c1-m4', 'conversation:1', 'delivery:5')),
    ];
    await writer.drain();
    await Promise.all(results);
    expect(writer.batches).toEqual([['c1-m1'], ['c2-m1'], ['c1-m2', 'c1-m3'], ['c1-m3-again', 'c1-m4']]);
  });

  it('runs at most maxConcurrentBatches writes at once', async () => {
    const writer = recordingWriter();
    const committer = createGroupCommitter<Item, string>({
      maxBatchSize: 1,
      maxConcurrentBatches: 2,
      conflictKeys: (entry) => entry.keys,
      writeBatch: writer.writeBatch,
    });
    const results = ['a', 'b', 'c', 'd', 'e'].map((id) => committer.submit(item(id)));
    await writer.drain();
    await Promise.all(results);
    expect(writer.maxInFlight()).toBe(2);
    expect(writer.batches).toHaveLength(5);
  });

  it('when a batch fails, writes its items one by one: only the poison item fails', async () => {
    const writer = recordingWriter({ failWhen: (entry) => entry.id === 'poison' });
    const failures: number[] = [];
    const committer = createGroupCommitter<Item, string>({
      maxBatchSize: 100,
      maxConcurrentBatches: 1,
      conflictKeys: (entry) => entry.keys,
      writeBatch: writer.writeBatch,
      onBatchFailure: (_error, size) => failures.push(size),
    });
    const settled = Promise.allSettled(['a', 'poison', 'b'].map((id) => committer.submit(item(id))));
    await writer.drain();
    const outcomes = await settled;
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(failures).toEqual([3]);
    expect(writer.batches).toEqual([['a', 'poison', 'b'], ['a'], ['poison'], ['b']]);
  });
});
