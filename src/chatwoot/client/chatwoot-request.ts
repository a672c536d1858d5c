import type { z } from 'zod';

import type { Logger } from '../../logging/create-logger.ts';
import type { ChatwootClientPolicy } from './chatwoot-client-policy.ts';
import type { ChatwootHttp } from './chatwoot-http.ts';
import type { AccountCircuitBreakers } from './create-account-circuit-breakers.ts';
import type { ChatwootRateLimiter } from './create-chatwoot-rate-limiter.ts';
import type { HttpMethod } from './send-chatwoot-attempt.ts';
import type { Sleep } from './sleep.ts';

/** Everything one client's requests share; built once by `createChatwootClient`. */
export interface ChatwootRequestContext {
  baseUrl: string;
  tokens: { bot: string; user: string | undefined };
  /** Rate-limit key of an account: accounts of different Chatwoot installs must not collide. */
  rateLimitKey: (accountId: number) => string;
  http: ChatwootHttp;
  logger: Logger;
  limiter: ChatwootRateLimiter;
  breakers: AccountCircuitBreakers;
  policy: ChatwootClientPolicy;
  sleep: Sleep;
  random: () => number;
  now: () => number;
}

export interface ChatwootRequest<T> {
  /** Names the call in logs and errors, e.g. `createMessage`. */
  operation: string;
  method: HttpMethod;
  accountId: number;
  /** Below `/api/v1/accounts/{accountId}`, e.g. `/conversations/12/messages`. */
  path: string;
  query?: Record<string, number | string | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
  /** The bot token by default; the user token for what Chatwoot does not let bots call. */
  token?: 'bot' | 'user';
  /** May a failure that might already have been applied be repeated? See `should-retry-chatwoot-error.ts`. */
  retryUnsafe: boolean;
  signal?: AbortSignal;
  /** See `CallOptions.beforeRetry`. */
  beforeRetry?: () => Promise<void>;
  /** Extra ids for the debug log line (never content). */
  logFields?: Record<string, unknown>;
}
