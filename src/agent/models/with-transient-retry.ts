import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
} from '@ai-sdk/provider';
import { wrapLanguageModel } from 'ai';

import { coerceError } from '../../errors/coerce-error.ts';
import { isTransientModelError, retryAfterMs } from './is-transient-model-error.ts';

export interface RetryPolicy {
  /** Model calls per step, the first included. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly backoffFactor: number;
  /** Also caps a provider's Retry-After hint. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 1_000,
  backoffFactor: 2,
  maxDelayMs: 10_000,
};

export interface RetryAttemptInfo {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: Error;
}

export interface WithTransientRetryOptions {
  readonly policy: RetryPolicy;
  /** Per attempt; a hung provider counts as a transient failure. */
  readonly attemptTimeoutMs: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onRetry?: (info: RetryAttemptInfo) => void;
}

/** The model stayed unavailable: retries exhausted, or a permanent error (401, 400, unknown model). */
export class ModelUnavailableError extends Error {
  readonly attempts: number;
  readonly isTransient: boolean;

  constructor(options: { attempts: number; isTransient: boolean; cause: Error }) {
    super(
      `Model unavailable after ${options.attempts} attempt${options.attempts === 1 ? '' : 's'}: ${options.cause.message}`,
      {
        cause: options.cause,
      },
    );
    this.name = 'ModelUnavailableError';
    this.attempts = options.attempts;
    this.isTransient = options.isTransient;
  }
}

/**
 * Wraps a model so each call gets a per-attempt timeout and transient failures (timeouts, 429,
 * 5xx, dropped connections) are retried with exponential backoff, honouring Retry-After up to
 * `maxDelayMs`. Retrying per model call rather than per run means tools already executed in
 * earlier steps are not executed again. Callers set the AI SDK's own `maxRetries: 0`. An abort
 * from the caller's signal is rethrown as is and never retried.
 */
export function withTransientRetry(
  model: LanguageModelV4,
  options: WithTransientRetryOptions,
): LanguageModelV4 {
  return wrapLanguageModel({
    model,
    middleware: {
      wrapGenerate: ({ params, model: inner }) => generateWithRetry(inner, params, options),
    },
  });
}

async function generateWithRetry(
  model: LanguageModelV4,
  params: LanguageModelV4CallOptions,
  options: WithTransientRetryOptions,
): Promise<LanguageModelV4GenerateResult> {
  const callerSignal = params.abortSignal;
  for (let attempt = 1; ; attempt += 1) {
    callerSignal?.throwIfAborted();
    const attemptController = new AbortController();
    const timer = setTimeout(
      () =>
        attemptController.abort(
          new DOMException(`model call timed out after ${options.attemptTimeoutMs} ms`, 'TimeoutError'),
        ),
      options.attemptTimeoutMs,
    );
    const signal = callerSignal
      ? AbortSignal.any([callerSignal, attemptController.signal])
      : attemptController.signal;
    try {
      // Race the abort too: a provider that ignores its signal must not hang the run.
      return await raceAbort(model.doGenerate({ ...params, abortSignal: signal }), signal);
    } catch (thrown) {
      if (callerSignal?.aborted) throw thrown;
      const error = attemptController.signal.aborted
        ? coerceError(attemptController.signal.reason)
        : coerceError(thrown);
      const isTransient = isTransientModelError(error);
      if (!isTransient || attempt >= options.policy.maxAttempts) {
        throw new ModelUnavailableError({ attempts: attempt, isTransient, cause: error });
      }
      const backoff = options.policy.initialDelayMs * options.policy.backoffFactor ** (attempt - 1);
      const delayMs = Math.min(options.policy.maxDelayMs, Math.max(backoff, retryAfterMs(error) ?? 0));
      options.onRetry?.({ attempt, delayMs, error });
      await options.sleep(delayMs, callerSignal);
    } finally {
      clearTimeout(timer);
    }
  }
}

function raceAbort<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(coerceError(signal.reason));
      return;
    }
    const onAbort = () => reject(coerceError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(coerceError(error));
      },
    );
  });
}

/** setTimeout as a promise that rejects when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(coerceError(signal.reason));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(coerceError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
