import { describe, expect, it } from 'vitest';

import { ChatwootApiError, type ChatwootErrorKind } from '../../src/chatwoot/client/chatwoot-api-error.ts';
import {
  classifyHttpFailure,
  classifyNetworkFailure,
} from '../../src/chatwoot/client/classify-chatwoot-failure.ts';
import { computeRetryDelay } from '../../src/chatwoot/client/compute-retry-delay.ts';
import { countsAsOutage } from '../../src/chatwoot/client/create-account-circuit-breakers.ts';
import { isBotEndpointForbidden } from '../../src/chatwoot/client/is-bot-endpoint-forbidden.ts';
import { parseRetryAfter } from '../../src/chatwoot/client/parse-retry-after.ts';
import { shouldRetryChatwootError } from '../../src/chatwoot/client/should-retry-chatwoot-error.ts';

describe('classifyHttpFailure', () => {
  it.each([
    [429, 'Retry later\n', true, false],
    [422, '{"error":"Validation failed: Too many messages"}', true, false],
    [422, '{"error":"Validation failed: Content is too long"}', false, false],
    [500, '', true, false],
    [503, '', true, false],
    [502, '<html>bad gateway</html>', true, true],
    [504, '', true, true],
    [400, '', false, false],
    [401, '{"error":"Invalid Access Token"}', false, false],
    [403, '', false, false],
    [404, '{"error":"Resource could not be found"}', false, false],
  ])('HTTP %i %j → retryable %s, outcome unknown %s', (status, body, isRetryable, isOutcomeUnknown) => {
    expect(classifyHttpFailure(status, body)).toEqual({ isRetryable, isOutcomeUnknown });
  });
});

describe('classifyNetworkFailure', () => {
  const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
  it.each([
    ['connection refused', fetchFailed(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })), false],
    ['DNS failure', fetchFailed(Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' })), false],
    [
      'connect timeout',
      fetchFailed(Object.assign(new Error('connect'), { code: 'UND_ERR_CONNECT_TIMEOUT' })),
      false,
    ],
    [
      'all happy-eyeballs addresses refused',
      fetchFailed(new AggregateError([{ code: 'ECONNREFUSED' }, { code: 'ECONNREFUSED' }])),
      false,
    ],
    ['reset after sending', fetchFailed(Object.assign(new Error('read'), { code: 'ECONNRESET' })), true],
    ['other side closed', fetchFailed(Object.assign(new Error('closed'), { code: 'UND_ERR_SOCKET' })), true],
    ['unknown error without a code', new Error('something odd'), true],
  ])('%s → outcome unknown %s', (_name, error, isOutcomeUnknown) => {
    expect(classifyNetworkFailure(error)).toEqual({ isRetryable: true, isOutcomeUnknown });
  });
});

describe('shouldRetryChatwootError', () => {
  const error = (
    kind: ChatwootErrorKind,
    extra: Partial<ConstructorParameters<typeof ChatwootApiError>[0]> = {},
  ) => new ChatwootApiError({ kind, operation: 'op', message: 'm', isRetryable: true, ...extra });
  const rules = (retryUnsafe: boolean) => ({ retryUnsafe, maxRetryAfterMs: 10_000 });

  it.each([
    ['a plain Error', new Error('x'), true, false],
    ['a non-retryable 404', error('http', { status: 404, isRetryable: false }), true, false],
    ['a 429', error('http', { status: 429 }), false, true],
    ['a 5xx with an answer', error('http', { status: 500 }), false, true],
    ['connection refused', error('network'), false, true],
    ['a timeout, unsafe not allowed', error('timeout', { isOutcomeUnknown: true }), false, false],
    ['a timeout, unsafe allowed', error('timeout', { isOutcomeUnknown: true }), true, true],
    ['a dropped connection, unsafe not allowed', error('network', { isOutcomeUnknown: true }), false, false],
    ['an open circuit', error('circuit_open'), true, false],
    ['an exhausted rate-limit wait', error('rate_limit_wait'), true, false],
    ['a caller abort', error('aborted'), true, false],
    ['Retry-After within the limit', error('http', { status: 503, retryAfterMs: 10_000 }), false, true],
    ['Retry-After beyond the limit', error('http', { status: 503, retryAfterMs: 10_001 }), true, false],
  ])('%s (retryUnsafe %s) → %s', (_name, failure, retryUnsafe, expected) => {
    expect(shouldRetryChatwootError(failure, rules(retryUnsafe))).toBe(expected);
  });
});

describe('computeRetryDelay', () => {
  const base = { retryAfterMs: undefined, initialDelayMs: 100, maxDelayMs: 1_000 };
  it.each([
    [1, 0.999, 99],
    [2, 0.999, 199],
    [3, 0.5, 200],
    [4, 0.5, 400],
    [5, 0.5, 500],
    [10, 0.999, 999],
    [3, 0, 0],
  ])(
    'attempt %i with random %d → %i ms (full jitter under a capped exponential)',
    (attempt, random, expected) => {
      expect(computeRetryDelay({ ...base, attempt, random: () => random })).toBe(expected);
    },
  );

  it('uses Retry-After when the server sent one', () => {
    expect(computeRetryDelay({ ...base, attempt: 1, retryAfterMs: 3_000, random: () => 0.5 })).toBe(3_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-25T10:00:00Z');
  it.each([
    [null, undefined],
    ['', undefined],
    ['5', 5_000],
    ['0', 0],
    [' 12 ', 12_000],
    ['-3', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['Wed, 25 Nov 2026 10:00:30 GMT', 30_000],
    ['Wed, 25 Nov 2026 09:59:00 GMT', 0],
  ])('%j → %j', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('countsAsOutage (circuit breaker)', () => {
  const error = (kind: ChatwootErrorKind, status?: number) =>
    new ChatwootApiError({ kind, status, operation: 'op', message: 'm', isRetryable: true });
  it.each([
    [error('network'), true],
    [error('timeout'), true],
    [error('http', 500), true],
    [error('http', 503), true],
    [error('http', 429), true],
    [error('http', 422), false],
    [error('http', 404), false],
    [error('http', 401), false],
    [error('aborted'), false],
    [error('rate_limit_wait'), false],
    [new Error('not ours'), false],
  ])('%o → %s', (failure, expected) => {
    expect(countsAsOutage(failure)).toBe(expected);
  });
});

describe('isBotEndpointForbidden', () => {
  const http401 = (body: string) =>
    new ChatwootApiError({
      kind: 'http',
      status: 401,
      body,
      operation: 'op',
      message: 'm',
      isRetryable: false,
    });
  it.each([
    [http401('{"error":"Access to this endpoint is not authorized for bots"}'), true],
    [http401('{"error":"Invalid Access Token"}'), false],
    [http401('{"error":"Bot is not authorized to access this account"}'), false],
    [
      new ChatwootApiError({
        kind: 'http',
        status: 403,
        body: 'endpoint is not authorized for bots',
        operation: 'op',
        message: 'm',
        isRetryable: false,
      }),
      false,
    ],
  ])('%o → %s', (failure, expected) => {
    expect(isBotEndpointForbidden(failure)).toBe(expected);
  });
});
