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
  const withCode = (code: string) => fetchFailed(Object.assign(new Error(code), { code }));
  it.each([
    ['connection refused', false, withCode('ECONNREFUSED')],
    ['DNS failure', false, withCode('ENOTFOUND')],
    ['connect timeout', false, withCode('UND_ERR_CONNECT_TIMEOUT')],
    [
      'all happy-eyeballs addresses refused',
      false,
      fetchFailed(new AggregateError([{ code: 'ECONNREFUSED' }, { code: 'ECONNREFUSED' }])),
    ],
    ['reset after sending', true, withCode('ECONNRESET')],
    ['other side closed', true, withCode('UND_ERR_SOCKET')],
    ['unknown error without a code', true, new Error('something odd')],
  ])('%s → outcome unknown %s', (_name, isOutcomeUnknown, error) => {
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
    ['a plain Error', true, false, new Error('x')],
    ['a non-retryable 404', true, false, error('http', { status: 404, isRetryable: false })],
    ['a 429', false, true, error('http', { status: 429 })],
    ['a 5xx with an answer', false, true, error('http', { status: 500 })],
    ['connection refused', false, true, error('network')],
    ['a timeout, unsafe not allowed', false, false, error('timeout', { isOutcomeUnknown: true })],
    ['a timeout, unsafe allowed', true, true, error('timeout', { isOutcomeUnknown: true })],
    ['a dropped connection, unsafe not allowed', false, false, error('network', { isOutcomeUnknown: true })],
    ['an open circuit', true, false, error('circuit_open')],
    ['an exhausted rate-limit wait', true, false, error('rate_limit_wait')],
    ['a caller abort', true, false, error('aborted')],
    ['Retry-After within the limit', false, true, error('http', { status: 503, retryAfterMs: 10_000 })],
    ['Retry-After beyond the limit', true, false, error('http', { status: 503, retryAfterMs: 10_001 })],
  ])('%s, retryUnsafe %s → retry %s', (_name, retryUnsafe, expected, failure) => {
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
    ['network', true, error('network')],
    ['timeout', true, error('timeout')],
    ['http 500', true, error('http', 500)],
    ['http 503', true, error('http', 503)],
    ['http 429', true, error('http', 429)],
    ['http 422', false, error('http', 422)],
    ['http 404', false, error('http', 404)],
    ['http 401', false, error('http', 401)],
    ['aborted', false, error('aborted')],
    ['rate_limit_wait', false, error('rate_limit_wait')],
    ['a plain Error', false, new Error('not ours')],
  ])('%s → %s', (_name, expected, failure) => {
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
    [
      '401 endpoint not authorized for bots',
      true,
      http401('{"error":"Access to this endpoint is not authorized for bots"}'),
    ],
    ['401 invalid token', false, http401('{"error":"Invalid Access Token"}')],
    ['401 bot not in account', false, http401('{"error":"Bot is not authorized to access this account"}')],
    [
      '403 with the same text',
      false,
      new ChatwootApiError({
        kind: 'http',
        status: 403,
        body: 'endpoint is not authorized for bots',
        operation: 'op',
        message: 'm',
        isRetryable: false,
      }),
    ],
  ])('%s → %s', (_name, expected, failure) => {
    expect(isBotEndpointForbidden(failure)).toBe(expected);
  });
});
