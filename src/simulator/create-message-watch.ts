import type { MessageSnapshot } from './create-inspector.ts';
import { snapshotMessage } from './create-inspector.ts';
import type { SimulatorStore } from './create-simulator-store.ts';

export interface MessageWatch {
  /** Calls `listener` with every new message (any sender, activity included); returns an unsubscribe function. */
  onMessage(listener: (message: MessageSnapshot) => void): () => void;
  /**
   * Resolves with the first message matching `predicate`, existing ones included (filter on
   * `id` or `createdAt` to wait for a new one); rejects after `timeoutMs` (default 10 s).
   */
  waitForMessage(
    predicate: (message: MessageSnapshot) => boolean,
    options?: { timeoutMs?: number },
  ): Promise<MessageSnapshot>;
}

/** Push-style observation for the demo (print replies as they arrive) and tests that await a bot reply. */
export function createMessageWatch(store: SimulatorStore): MessageWatch {
  const onMessage = (listener: (message: MessageSnapshot) => void): (() => void) => {
    const wrapped = (message: Parameters<typeof snapshotMessage>[0]): void =>
      listener(snapshotMessage(message));
    store.messageListeners.add(wrapped);
    return () => store.messageListeners.delete(wrapped);
  };

  return {
    onMessage,
    waitForMessage(predicate, { timeoutMs = 10_000 } = {}) {
      const existing = [...store.messages.values()].map(snapshotMessage).find(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          unsubscribe();
          reject(new Error(`no matching message within ${timeoutMs} ms`));
        }, timeoutMs);
        const unsubscribe = onMessage((message) => {
          if (!predicate(message)) return;
          clearTimeout(timer);
          unsubscribe();
          resolve(message);
        });
      });
    },
  };
}
