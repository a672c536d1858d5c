import { Redis } from 'ioredis';

import type { Logger } from '../../logging/create-logger.ts';

/**
 * Opens the Redis connection the shared rate limiter uses. Only the composition root calls this
 * (and `quit()`s the result on shutdown); the limiter itself just receives the client.
 *
 * The options make Redis trouble cheap: no offline queue (a command fails at once while
 * disconnected, and the limiter falls back to its in-memory insurance), one attempt per command,
 * and reconnects with a capped delay in the background.
 */
export function connectRateLimitRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    connectionName: 'chatwoot-agent:rate-limit',
  });
  // ioredis emits an error per failed reconnect: warn once per outage, the rest at debug.
  let isConnected = true;
  redis.on('error', (error: Error) => {
    if (isConnected) {
      logger.warn({ err: error }, 'rate-limit redis unavailable; limiting per process until it returns');
      isConnected = false;
    } else {
      logger.debug({ err: error }, 'rate-limit redis still unavailable');
    }
  });
  redis.on('ready', () => {
    if (!isConnected) logger.info('rate-limit redis reconnected');
    isConnected = true;
  });
  return redis;
}
