import pino, { type Logger } from 'pino';

import type { LogLevel } from '../config/config.ts';
import type { LogContextStore } from './log-context.ts';

export type { Logger } from 'pino';

/**
 * Paths pino replaces with "[redacted]". Tokens, secrets and signatures never reach a log line;
 * message bodies are only logged at debug by the code that logs them.
 */
export const REDACTED_PATHS = [
  'token',
  'apiToken',
  'userToken',
  'webhookSecret',
  'secret',
  'password',
  'apiKey',
  'authorization',
  'signature',
  '*.token',
  '*.apiToken',
  '*.userToken',
  '*.webhookSecret',
  '*.secret',
  '*.password',
  '*.apiKey',
  '*.signature',
  'headers.authorization',
  'headers.api_access_token',
  'headers["x-chatwoot-signature"]',
  'req.headers.authorization',
  'req.headers.api_access_token',
  'req.headers["x-chatwoot-signature"]',
  'config.connections[*].apiToken',
  'config.connections[*].webhookSecret',
  'config.connections[*].userToken',
];

export interface CreateLoggerOptions {
  level: LogLevel;
  pretty?: boolean;
  context?: LogContextStore;
  /** Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const { context } = options;
  return pino(
    {
      level: options.level,
      base: { service: 'chatwoot-agent' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: context ? () => ({ ...context.current() }) : undefined,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ??
      (options.pretty ? pino.transport({ target: 'pino-pretty' }) : pino.destination({ sync: false })),
  );
}
