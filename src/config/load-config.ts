import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

import { AppError } from '../errors/app-error.ts';
import type { ChatwootConnection, Config, DatabaseConfig, LlmConfig } from './config.ts';
import { settingsSchema, type Settings } from './config-schema.ts';

type Environment = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Defaults to `process.env`; tests pass their own. */
  env?: Environment;
  /** A config file path; otherwise `CONFIG_FILE` from the environment. */
  configFile?: string;
  /** Settings that win over the environment (the demo points the service at its own simulator). */
  overrides?: Readonly<Record<string, string>>;
}

/**
 * Reads the environment (and an optional JSON/YAML config file), validates every key at once and
 * returns a frozen {@link Config}. Throws `AppError('invalid_config')` listing every bad key with
 * what was expected. This is the only module that reads `process.env`.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = { ...(options.env ?? process.env), ...options.overrides };
  const configFile = options.configFile ?? env.CONFIG_FILE;
  const problems: string[] = [];

  const fileSettings = configFile ? readConfigFile(configFile, problems) : {};
  const merged: Record<string, unknown> = { ...fileSettings };
  for (const key of Object.keys(settingsSchema.shape)) {
    if (JSON_KEYS.has(key)) {
      // JSON in the environment; a config file gives them as structures.
      const text = env[key];
      if (typeof text === 'string' && text.trim() !== '') merged[key] = parseJsonSetting(key, text, problems);
      continue;
    }
    const value = env[key];
    if (value !== undefined) merged[key] = value;
  }

  const parsed = settingsSchema.safeParse(merged);
  if (!parsed.success) problems.push(...formatIssues(parsed.error.issues, merged));
  problems.push(...duplicateConnectionNames(merged.CONNECTIONS));
  if (problems.length > 0 || !parsed.success) {
    throw new AppError('invalid_config', {
      message: `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      details: { problems },
    });
  }
  return deepFreeze(buildConfig(parsed.data));
}

function duplicateConnectionNames(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const seen = new Set(['default']);
  const problems: string[] = [];
  for (const entry of raw as unknown[]) {
    const name = (entry as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') continue;
    if (seen.has(name))
      problems.push(
        `CONNECTIONS: connection name "${name}" is used twice ("default" is the CHATWOOT_* connection)`,
      );
    seen.add(name);
  }
  return problems;
}

function buildConfig(settings: Settings): Config {
  return {
    environment: settings.ENVIRONMENT,
    log: {
      level: settings.DEBUG && settings.LOG_LEVEL === 'info' ? 'debug' : settings.LOG_LEVEL,
      pretty: settings.LOG_PRETTY,
    },
    http: { host: settings.HOST, port: settings.PORT },
    dataDir: path.resolve(settings.DATA_DIR),
    database: resolveDatabase(settings),
    webhook: {
      maxBodyBytes: settings.WEBHOOK_MAX_BODY_BYTES,
      toleranceSeconds: settings.WEBHOOK_TOLERANCE_SECONDS,
    },
    connections: resolveConnections(settings),
    chatwoot: {
      timeoutMs: settings.CHATWOOT_TIMEOUT_MS,
      rateLimitPerMinute: settings.CHATWOOT_RATE_LIMIT_PER_MINUTE,
      rateLimitBurst: settings.CHATWOOT_RATE_LIMIT_BURST,
    },
    adminToken: settings.ADMIN_TOKEN,
    redisUrl: settings.REDIS_URL,
    reply: {
      debounceMs: settings.REPLY_DEBOUNCE_MS,
      maxWaitMs: Math.max(settings.REPLY_MAX_WAIT_MS, settings.REPLY_DEBOUNCE_MS),
      typingDelayMs: settings.REPLY_TYPING_DELAY_MS,
    },
    worker: { concurrency: settings.WORKER_CONCURRENCY, shutdownTimeoutMs: settings.SHUTDOWN_TIMEOUT_MS },
    llm: resolveLlm(settings),
    embedding: {
      provider: settings.EMBEDDING_PROVIDER ?? (settings.EMBEDDING_BASE_URL ? 'openai-compatible' : 'none'),
      model: settings.EMBEDDING_MODEL,
      baseUrl: settings.EMBEDDING_BASE_URL,
      apiKey: settings.EMBEDDING_API_KEY ?? settings.OPENAI_API_KEY,
      dimensions: settings.EMBEDDING_DIMENSIONS,
    },
    network: { allowPrivate: settings.ALLOW_PRIVATE_NETWORK_FETCH },
  };
}

/** `DATABASE_URL` wins; otherwise the seed's `DATABASE_*` parts; otherwise the embedded PGlite in `DATA_DIR`. */
function resolveDatabase(settings: Settings): DatabaseConfig {
  if (settings.DATABASE_URL)
    return { kind: 'postgres', url: settings.DATABASE_URL, poolMax: settings.DATABASE_POOL_MAX };
  if (settings.DATABASE_HOST || settings.DATABASE_NAME) {
    const url = new URL('postgres://localhost');
    url.hostname = settings.DATABASE_HOST ?? 'localhost';
    url.port = String(settings.DATABASE_PORT ?? 5432);
    url.pathname = `/${encodeURIComponent(settings.DATABASE_NAME ?? 'postgres')}`;
    url.username = encodeURIComponent(settings.DATABASE_USER ?? 'postgres');
    if (settings.DATABASE_PASSWORD) url.password = encodeURIComponent(settings.DATABASE_PASSWORD);
    return { kind: 'postgres', url: url.toString(), poolMax: settings.DATABASE_POOL_MAX };
  }
  return { kind: 'pglite', dataDir: path.join(path.resolve(settings.DATA_DIR), 'pglite') };
}

/** The single-connection `CHATWOOT_*` variables form the connection named `default`. */
function resolveConnections(settings: Settings): ChatwootConnection[] {
  const connections: ChatwootConnection[] = [
    {
      name: 'default',
      baseUrl: settings.CHATWOOT_BASE_URL,
      apiToken: settings.CHATWOOT_API_TOKEN,
      webhookSecret: settings.CHATWOOT_WEBHOOK_SECRET,
      allowUnsigned: settings.CHATWOOT_ALLOW_UNSIGNED,
      userToken: settings.CHATWOOT_USER_TOKEN,
    },
  ];
  return [...connections, ...(settings.CONNECTIONS ?? [])];
}

function resolveLlm(settings: Settings): LlmConfig {
  const provider =
    settings.LLM_PROVIDER ??
    (settings.LLM_BASE_URL
      ? 'openai-compatible'
      : settings.ANTHROPIC_API_KEY && !settings.OPENAI_API_KEY
        ? 'anthropic'
        : settings.OPENAI_API_KEY
          ? 'openai'
          : 'none');
  const apiKey =
    settings.LLM_API_KEY ??
    (provider === 'anthropic'
      ? settings.ANTHROPIC_API_KEY
      : provider === 'none'
        ? undefined
        : settings.OPENAI_API_KEY);
  const defaultModel =
    provider === 'openai' ? 'gpt-4.1-mini' : provider === 'anthropic' ? 'claude-sonnet-4-5' : undefined;
  return {
    provider,
    model: settings.LLM_MODEL ?? defaultModel,
    baseUrl: settings.LLM_BASE_URL,
    apiKey,
    temperature: settings.LLM_TEMPERATURE,
    maxOutputTokens: settings.LLM_MAX_OUTPUT_TOKENS,
    timeoutMs: settings.LLM_TIMEOUT_MS,
    prices: settings.LLM_PRICES ?? {},
  };
}

function readConfigFile(file: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`CONFIG_FILE: cannot read "${file}" (${(error as Error).message})`);
    return {};
  }
  try {
    const parsed: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`CONFIG_FILE: expected a mapping of settings in "${file}"`);
      return {};
    }
    const record = parsed as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!(key in settingsSchema.shape)) problems.push(`${key}: unknown setting in config file "${file}"`);
    }
    return record;
  } catch (error) {
    problems.push(`CONFIG_FILE: "${file}" is not valid JSON/YAML (${(error as Error).message})`);
    return {};
  }
}

/** Settings whose environment value is JSON. */
const JSON_KEYS = new Set(['CONNECTIONS', 'LLM_PRICES']);

function parseJsonSetting(key: string, text: string, problems: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch {
    problems.push(`${key}: expected JSON, got "${text.slice(0, 40)}"`);
    return undefined;
  }
}

const SECRET_KEY = /TOKEN|SECRET|PASSWORD|KEY|CONNECTIONS/;

function formatIssues(issues: readonly z.core.$ZodIssue[], input: Record<string, unknown>): string[] {
  return issues.map((issue) => {
    const key = issue.path.map(String).join('.');
    const topKey = String(issue.path[0] ?? '');
    const raw = input[topKey];
    // Never echo secrets back into logs, even when they are malformed.
    const shown = raw === undefined ? 'nothing' : SECRET_KEY.test(topKey) ? '(hidden)' : JSON.stringify(raw);
    return `${key}: ${issue.message} (got ${shown})`;
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
