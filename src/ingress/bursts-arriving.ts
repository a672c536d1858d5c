import { conversationKeyOf, type ConversationKey } from './conversation-statements.ts';

/**
 * The conversations with a customer message this process has received and not yet committed
 * (waiting in the group commit or being written). The reply queue's claim leaves them alone until
 * that commit, whose NOTIFY brings the claim back for the whole burst: otherwise a burst split
 * over two batches is claimed with its first part and its last message waits for a second run.
 * In-memory and per process, like the run registry: another process's claims do not see it, and
 * lose nothing by that (the message is answered by the next run, as before).
 */
export interface BurstsArriving {
  /** Records one message of `key` as arriving; call the returned function once it is committed or failed. */
  arrive(key: ConversationKey): () => void;
  /** The conversations with a message arriving, for the claim. */
  conversations(): ConversationKey[];
}

export function createBurstsArriving(): BurstsArriving {
  const arriving = new Map<string, { readonly key: ConversationKey; count: number }>();
  return {
    arrive(key) {
      const id = conversationKeyOf(key);
      const entry = arriving.get(id) ?? { key, count: 0 };
      entry.count += 1;
      arriving.set(id, entry);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        entry.count -= 1;
        if (entry.count === 0 && arriving.get(id) === entry) arriving.delete(id);
      };
    },
    conversations: () => [...arriving.values()].map((entry) => entry.key),
  };
}
