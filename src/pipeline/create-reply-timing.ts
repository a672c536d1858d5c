import { getEffectiveInboxSettings } from '../agent/settings/get-effective-inbox-settings.ts';
import type { Executor } from '../db/database.ts';
import type { ReplyTiming } from '../ingress/record-webhook-delivery.ts';

/**
 * The debounce window of an inbox: its agent settings, else the service default. Read on every
 * customer message inside the ingress transaction's critical path, so it is cached briefly
 * (`ttlMs`): a settings change applies to new bursts within seconds, and ingress does not pay two
 * extra queries per delivery.
 */
export function createReplyTiming(
  deps: { readonly now: () => Date },
  defaults: ReplyTiming,
  ttlMs = 5_000,
): (connection: string, inboxId: number, tx: Executor) => Promise<ReplyTiming> {
  const cache = new Map<string, { timing: ReplyTiming; at: number }>();
  // Reads through the caller's transaction: on PGlite (one connection) a query outside it would wait forever.
  return async (connection, inboxId, tx) => {
    const key = `${connection}#${inboxId}`;
    const now = deps.now().getTime();
    const cached = cache.get(key);
    if (cached && now - cached.at < ttlMs) return cached.timing;
    const { settings } = await getEffectiveInboxSettings({ db: tx }, { connection, inboxId });
    const debounceMs = settings.debounce.windowMs ?? defaults.debounceMs;
    const timing = {
      debounceMs,
      maxWaitMs: Math.max(settings.debounce.maxWaitMs ?? defaults.maxWaitMs, debounceMs),
    };
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { timing, at: now });
    return timing;
  };
}
