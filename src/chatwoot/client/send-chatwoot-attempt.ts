import type { z } from 'zod';

import { ChatwootApiError } from './chatwoot-api-error.ts';
import type { ChatwootHttp, HttpExchange } from './chatwoot-http.ts';
import { classifyHttpFailure, classifyNetworkFailure } from './classify-chatwoot-failure.ts';
import { parseRetryAfter } from './parse-retry-after.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH';

export interface ChatwootAttempt<T> {
  operation: string;
  method: HttpMethod;
  url: string;
  token: string;
  body: unknown;
  schema: z.ZodType<T>;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** 1-based, recorded on errors. */
  attempt: number;
  /** An earlier attempt of the same call may already have been applied. */
  hasEarlierUnknownOutcome: boolean;
}

export interface AttemptDeps {
  http: ChatwootHttp;
  now: () => number;
}

export interface AttemptResult<T> {
  value: T;
  status: number;
}

/**
 * One HTTP exchange with Chatwoot: auth header, JSON body, a timeout joined with the caller's
 * signal, then either the schema-checked body or a classified {@link ChatwootApiError}. No retries
 * here; `request-chatwoot.ts` decides those.
 */
export async function sendChatwootAttempt<T>(
  deps: AttemptDeps,
  input: ChatwootAttempt<T>,
): Promise<AttemptResult<T>> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), input.timeoutMs);
  const signal = input.signal ? AbortSignal.any([input.signal, timeout.signal]) : timeout.signal;
  const headers: Record<string, string> = { api_access_token: input.token, accept: 'application/json' };
  if (input.body !== undefined) headers['content-type'] = 'application/json';

  let response: HttpExchange;
  try {
    response = await deps.http(input.url, {
      method: input.method,
      headers,
      body: input.body === undefined ? undefined : JSON.stringify(input.body),
      signal,
    });
  } catch (error) {
    throw describeTransportFailure(input, error, {
      isCallerAbort: input.signal?.aborted === true,
      isTimeout: timeout.signal.aborted,
    });
  } finally {
    clearTimeout(timer);
  }

  const { status, text } = response;
  if (status < 200 || status > 299) {
    const failure = classifyHttpFailure(status, text);
    throw new ChatwootApiError({
      kind: 'http',
      operation: input.operation,
      message: `Chatwoot ${input.operation} failed with HTTP ${status}${summariseErrorBody(text)}`,
      status,
      body: text,
      isRetryable: failure.isRetryable,
      isOutcomeUnknown: failure.isOutcomeUnknown || input.hasEarlierUnknownOutcome,
      retryAfterMs: parseRetryAfter(response.header('retry-after'), deps.now()),
      attempt: input.attempt,
    });
  }
  return { value: parseBody(input, status, text), status };
}

function describeTransportFailure(
  input: ChatwootAttempt<unknown>,
  error: unknown,
  how: { isCallerAbort: boolean; isTimeout: boolean },
): ChatwootApiError {
  const common = { operation: input.operation, attempt: input.attempt, cause: error };
  // Once the request has started we cannot know whether Chatwoot received the request.
  if (how.isCallerAbort) {
    return new ChatwootApiError({
      ...common,
      kind: 'aborted',
      message: `Chatwoot ${input.operation} was aborted by the caller`,
      isRetryable: true,
      isOutcomeUnknown: true,
    });
  }
  if (how.isTimeout) {
    return new ChatwootApiError({
      ...common,
      kind: 'timeout',
      message: `Chatwoot ${input.operation} timed out after ${input.timeoutMs} ms`,
      isRetryable: true,
      isOutcomeUnknown: true,
    });
  }
  const failure = classifyNetworkFailure(error);
  return new ChatwootApiError({
    ...common,
    kind: 'network',
    message: `Chatwoot ${input.operation} failed: ${describeCause(error)}`,
    isRetryable: failure.isRetryable,
    isOutcomeUnknown: failure.isOutcomeUnknown || input.hasEarlierUnknownOutcome,
  });
}

function parseBody<T>(input: ChatwootAttempt<T>, status: number, text: string): T {
  let json: unknown;
  try {
    json = text.trim() === '' ? undefined : JSON.parse(text);
  } catch (error) {
    throw invalidResponse(input, status, text, 'the body is not JSON', error);
  }
  const parsed = input.schema.safeParse(json);
  if (!parsed.success) throw invalidResponse(input, status, text, parsed.error.message, parsed.error);
  return parsed.data;
}

function invalidResponse(
  input: ChatwootAttempt<unknown>,
  status: number,
  text: string,
  reason: string,
  cause: unknown,
) {
  // The call succeeded on Chatwoot's side; only our reading of the answer failed.
  return new ChatwootApiError({
    kind: 'invalid_response',
    operation: input.operation,
    message: `Chatwoot ${input.operation} answered ${status} with an unexpected body: ${reason.slice(0, 300)}`,
    status,
    body: text,
    isRetryable: false,
    attempt: input.attempt,
    cause,
  });
}

/** Chatwoot errors look like `{"error":"…"}`; a short excerpt makes the message useful on its own. */
function summariseErrorBody(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const detail = typeof parsed.error === 'string' ? parsed.error : parsed.message;
    if (typeof detail === 'string' && detail !== '') return `: ${detail.slice(0, 200)}`;
  } catch {
    // Not JSON (rack-attack's "Retry later", a proxy's HTML page): the status says enough.
  }
  return '';
}

function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
