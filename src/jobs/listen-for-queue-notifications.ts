import { createHash } from 'node:crypto';

import type { Db, PgBoss } from 'pg-boss';

import { coerceError } from '../errors/coerce-error.ts';
import type { Logger } from '../logging/create-logger.ts';

type ListenHandle = Awaited<ReturnType<NonNullable<Db['listen']>>>;

export interface QueueNotifications {
  close(): Promise<void>;
}

export interface NotificationHandlers {
  /** A job became runnable on queue `name` (pg-boss NOTIFYs from the inserting transaction). */
  onNotification(name: string): void;
  /** (Re)subscribed: notifications sent while not listening are lost, so look at every queue. */
  onReconnect(): void;
}

/** A LISTEN that could not be established is tried again this often; polling covers the gap. */
const RESUBSCRIBE_MS = 30_000;

/**
 * pg-boss's NOTIFY channel for a schema: plans.notifyChannelSql computes the same in SQL
 * ('pgboss_' + the first 24 hex digits of sha224(schema)); the payload is the queue name.
 */
export function notifyChannel(schema: string): string {
  return `pgboss_${createHash('sha224').update(schema).digest('hex').slice(0, 24)}`;
}

/**
 * Listens to pg-boss's job notifications for the dispatcher. pg-boss routes its own listener only
 * to `work()` workers and has no public event for it, but the database it runs on exposes the
 * LISTEN capability it uses (`IDatabase.listen`, public API): on a server a dedicated connection
 * outside the pool that pg-boss keeps alive (keepalive, a check that the channel is still
 * registered, reconnect with backoff, then `onReconnect`), on PGlite `pglite.listen`. Every
 * notification is only a hint to fetch sooner; the dispatcher's poll finds the jobs anyway, so a
 * LISTEN that fails (e.g. behind a transaction-pooling proxy) is logged and retried, never fatal.
 */
export async function listenForQueueNotifications(
  deps: { readonly boss: Pick<PgBoss, 'getDb'>; readonly logger: Logger },
  schema: string,
  handlers: NotificationHandlers,
): Promise<QueueNotifications> {
  const db = deps.boss.getDb();
  if (typeof db.listen !== 'function') {
    deps.logger.info('the job queue connection cannot LISTEN; workers poll for jobs');
    return { close: () => Promise.resolve() };
  }
  const listen = db.listen.bind(db);
  const channel = notifyChannel(schema);
  let closed = false;
  let handle: ListenHandle | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const subscribe = async (): Promise<void> => {
    try {
      const subscribed = await listen(
        channel,
        (payload) => handlers.onNotification(payload),
        () => handlers.onReconnect(),
      );
      if (closed) await subscribed.close();
      else handle = subscribed;
    } catch (thrown) {
      if (closed) return;
      deps.logger.warn(
        { err: coerceError(thrown), retryInMs: RESUBSCRIBE_MS },
        'LISTEN for job notifications failed; polling until it succeeds',
      );
      retryTimer = setTimeout(() => void subscribe(), RESUBSCRIBE_MS);
      retryTimer.unref();
    }
  };
  await subscribe();

  return {
    close: async () => {
      closed = true;
      clearTimeout(retryTimer);
      const current = handle;
      handle = undefined;
      await current
        ?.close()
        .catch((thrown: unknown) =>
          deps.logger.warn({ err: coerceError(thrown) }, 'closing the job notification listener failed'),
        );
    },
  };
}
