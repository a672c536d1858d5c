import { conversationKeyOf, type ConversationKey } from './conversation-statements.ts';

/**
 * The conversations with a customer message this process has received and not yet committed
 * (waiting in the group commit or being written). The reply queue's claim leaves them alone until
 * that commit: otherwise a burst split over two batches is claimed with its first part and its last
 * message waits for a second run. In-memory and per process, like the run registry: another
 * process's claims do not see it, and lose nothing by that (the message is answered by the next
 * run, as before).
 */
export interface BurstsArriving {
  /** Records one message of `key` as arriving; call the returned function once it is committed or failed. */
  arrive(key: ConversationKey): () => void;
  /** The conversations with a message arriving, for the claim. */
  conversations(): ConversationKey[];
  /**
   * A claim left these conversations alone: `listener` runs when their message is committed (at
   * once for one already committed). The commit's NOTIFY alone is not enough: it may have been
   * handled before the write's answer, by the very claim that deferred them.
   */
  deferredByClaim(keys: readonly ConversationKey[]): void;
  /** The reply queue's loop: woken when a deferred burst can be claimed. */
  onDeferredCommitted(listener: () => void): void;
}

interface Entry {
  readonly key: ConversationKey;
  count: number;
  /** A claim left this conversation alone while its message was arriving. */
  deferred: boolean;
}

export function createBurstsArriving(): BurstsArriving {
  const arriving = new Map<string, Entry>();
  let listener: (() => void) | undefined;
  return {
    arrive(key) {
      const id = conversationKeyOf(key);
      const entry = arriving.get(id) ?? { key, count: 0, deferred: false };
      entry.count += 1;
      arriving.set(id, entry);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        entry.count -= 1;
        if (entry.count > 0 || arriving.get(id) !== entry) return;
        arriving.delete(id);
        if (entry.deferred) listener?.();
      };
    },
    conversations: () => [...arriving.values()].map((entry) => entry.key),
    deferredByClaim(keys) {
      let committedAlready = false;
      for (const key of keys) {
        const entry = arriving.get(conversationKeyOf(key));
        if (entry) entry.deferred = true;
        else committedAlready = true;
      }
      if (committedAlready) listener?.();
    },
    onDeferredCommitted(next) {
      listener = next;
    },
  };
}
