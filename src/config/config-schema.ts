import { z } from 'zod';

/** Environment-style booleans: true/false, 1/0, yes/no, on/off (case-insensitive). */
const booleanFlag = z.union([z.boolean(), z.string()]).transform((value, context) => {
  if (typeof value === 'boolean') return value;
  const normalised = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalised)) return true;
  if (['false', '0', 'no', 'off', ''].includes(normalised)) return false;
  context.addIssue({
    code: 'custom',
    message: `expected a boolean (true/false, 1/0, yes/no), got "${value}"`,
  });
  return z.NEVER;
});

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();
const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const optionalUrl = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .pipe(url.optional())
  .optional();

export const connectionSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'expected letters, digits, "-" or "_"'),
  baseUrl: url.optional(),
  apiToken: z.string().min(1).optional(),
  webhookSecret: z.string().min(1).optional(),
  allowUnsigned: z.boolean().default(false),
  userToken: z.string().min(1).optional(),
});

/**
 * Every setting the service reads, keyed by its environment variable name. A config file
 * (`CONFIG_FILE`, JSON or YAML) may set the same keys plus `CONNECTIONS`; the environment wins.
 */
export const settingsSchema = z.object({
  ENVIRONMENT: z.string().default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: booleanFlag.default(false),
  DEBUG: booleanFlag.default(false),

  HOST: z.string().default('0.0.0.0'),
  PORT: integer(0, 65535).default(3000),
  DATA_DIR: z.string().min(1).default('./data'),

  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
      .optional(),
  ),
  DATABASE_HOST: optionalText,
  DATABASE_PORT: integer(1, 65535).optional(),
  DATABASE_NAME: optionalText,
  DATABASE_USER: optionalText,
  DATABASE_PASSWORD: optionalText,
  DATABASE_POOL_MAX: integer(2, 200).default(10),

  CHATWOOT_BASE_URL: optionalUrl,
  CHATWOOT_API_TOKEN: optionalText,
  CHATWOOT_WEBHOOK_SECRET: optionalText,
  CHATWOOT_USER_TOKEN: optionalText,
  CHATWOOT_ALLOW_UNSIGNED: booleanFlag.default(false),
  CHATWOOT_TIMEOUT_MS: integer(100, 120_000).default(10_000),
  CHATWOOT_RATE_LIMIT_PER_MINUTE: integer(1, 100_000).default(60),
  CHATWOOT_RATE_LIMIT_BURST: integer(1, 10_000).default(10),
  CONNECTIONS: z.array(connectionSchema).optional(),

  WEBHOOK_MAX_BODY_BYTES: integer(1024, 50 * 1024 * 1024).default(1024 * 1024),
  WEBHOOK_TOLERANCE_SECONDS: integer(1, 86_400).default(300),

  ADMIN_TOKEN: optionalText.pipe(z.string().min(16, 'expected at least 16 characters').optional()),
  REDIS_URL: optionalText.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// URL')
      .optional(),
  ),

  REPLY_DEBOUNCE_MS: integer(0, 600_000).default(3_000),
  REPLY_MAX_WAIT_MS: integer(0, 3_600_000).default(15_000),
  /** The typing indicator shows only for runs longer than this: an instant answer does not flicker it. */
  REPLY_TYPING_DELAY_MS: integer(0, 10_000).default(300),
  WORKER_CONCURRENCY: integer(1, 500).default(20),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),

  OPENAI_API_KEY: optionalText,
  ANTHROPIC_API_KEY: optionalText,
  LLM_PROVIDER: z.enum(['openai', 'openai-compatible', 'anthropic', 'none']).optional(),
  LLM_MODEL: optionalText,
  LLM_BASE_URL: optionalUrl,
  LLM_API_KEY: optionalText,
  LLM_TEMPERATURE: z.coerce.number().min(0).max(2).optional(),
  LLM_MAX_OUTPUT_TOKENS: integer(1, 200_000).optional(),
  LLM_TIMEOUT_MS: integer(1_000, 600_000).default(60_000),
  /**
   * USD per million tokens by model id (JSON), merged over the built-in list prices: a model you
   * pay a different rate for, or one the list does not know (a self-hosted model costs 0).
   */
  LLM_PRICES: z
    .record(
      z.string().min(1),
      z.strictObject({
        inputPerMillionUsd: z.number().min(0),
        outputPerMillionUsd: z.number().min(0),
        cachedInputPerMillionUsd: z.number().min(0).optional(),
      }),
    )
    .optional(),

  EMBEDDING_PROVIDER: z.enum(['openai', 'openai-compatible', 'none']).optional(),
  EMBEDDING_MODEL: optionalText,
  EMBEDDING_BASE_URL: optionalUrl,
  EMBEDDING_API_KEY: optionalText,
  EMBEDDING_DIMENSIONS: integer(8, 4096).optional(),

  ALLOW_PRIVATE_NETWORK_FETCH: booleanFlag.default(false),
});

export type Settings = z.output<typeof settingsSchema>;
export type ConnectionSettings = z.output<typeof connectionSchema>;
