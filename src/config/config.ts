import type { ConnectionSettings } from './config-schema.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A Chatwoot account/bot pair this process serves: its own webhook secret and API token. */
export type ChatwootConnection = Readonly<ConnectionSettings>;

export type DatabaseConfig =
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolMax: number };

export interface LlmConfig {
  readonly provider: 'openai' | 'openai-compatible' | 'anthropic' | 'none';
  readonly model: string | undefined;
  readonly baseUrl: string | undefined;
  readonly apiKey: string | undefined;
  readonly temperature: number | undefined;
  readonly maxOutputTokens: number | undefined;
  readonly timeoutMs: number;
  /** USD per million tokens by model id, over the built-in list prices (`LLM_PRICES`). */
  readonly prices: Readonly<
    Record<
      string,
      {
        readonly inputPerMillionUsd: number;
        readonly outputPerMillionUsd: number;
        readonly cachedInputPerMillionUsd?: number | undefined;
      }
    >
  >;
}

export interface EmbeddingConfig {
  readonly provider: 'openai' | 'openai-compatible' | 'none';
  readonly model: string | undefined;
  readonly baseUrl: string | undefined;
  readonly apiKey: string | undefined;
  readonly dimensions: number | undefined;
}

/** The validated, frozen configuration passed down from the composition root. */
export interface Config {
  readonly environment: string;
  readonly log: { readonly level: LogLevel; readonly pretty: boolean };
  readonly http: { readonly host: string; readonly port: number };
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly webhook: { readonly maxBodyBytes: number; readonly toleranceSeconds: number };
  readonly connections: readonly ChatwootConnection[];
  readonly chatwoot: {
    readonly timeoutMs: number;
    readonly rateLimitPerMinute: number;
    readonly rateLimitBurst: number;
  };
  readonly adminToken: string | undefined;
  readonly redisUrl: string | undefined;
  readonly reply: {
    readonly debounceMs: number;
    readonly maxWaitMs: number;
    readonly typingDelayMs: number;
  };
  readonly worker: { readonly concurrency: number; readonly shutdownTimeoutMs: number };
  readonly llm: LlmConfig;
  readonly embedding: EmbeddingConfig;
  readonly network: { readonly allowPrivate: boolean };
}
