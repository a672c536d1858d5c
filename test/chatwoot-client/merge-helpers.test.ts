import { describe, expect, it } from 'vitest';

import { mergeCustomAttributes } from '../../src/chatwoot/client/merge-custom-attributes.ts';
import { mergeLabels } from '../../src/chatwoot/client/merge-labels.ts';
import { planRateLimitWindows } from '../../src/chatwoot/client/plan-rate-limit-windows.ts';

describe('mergeLabels', () => {
  it.each([
    [[], ['a'], ['a'], true],
    [['a', 'b'], ['b', 'c'], ['a', 'b', 'c'], true],
    [['a', 'b'], ['b', 'a'], ['a', 'b'], false],
    [['a'], [], ['a'], false],
    [['a'], ['c', 'c'], ['a', 'c'], true],
    [['B'], ['b'], ['B', 'b'], true],
  ])('%j + %j → %j (changed %s)', (current, added, labels, hasChanged) => {
    expect(mergeLabels(current, added)).toEqual({ labels, hasChanged });
  });
});

describe('mergeCustomAttributes', () => {
  it.each([
    [{}, { tier: 'gold' }, { tier: 'gold' }, true],
    [{ tier: 'gold', n: 1 }, { n: 2 }, { tier: 'gold', n: 2 }, true],
    [{ tier: 'gold', n: 1 }, { n: 1 }, { tier: 'gold', n: 1 }, false],
    [{ nested: { a: 1 } }, { nested: { a: 1 } }, { nested: { a: 1 } }, false],
    [{ nested: { a: 1 } }, { nested: { b: 2 } }, { nested: { b: 2 } }, true],
    [{ a: 1 }, {}, { a: 1 }, false],
    [{}, { a: null }, { a: null }, true],
  ])('%j ⊕ %j → %j (changed %s)', (current, patch, attributes, hasChanged) => {
    expect(mergeCustomAttributes(current, patch)).toEqual({ attributes, hasChanged });
  });
});

describe('planRateLimitWindows', () => {
  it.each([
    [60, 10, { points: 1, durationSeconds: 1 }],
    [120, 5, { points: 2, durationSeconds: 1 }],
    [90, 5, { points: 3, durationSeconds: 2 }],
    [45, 5, { points: 3, durationSeconds: 4 }],
    [30, 5, { points: 1, durationSeconds: 2 }],
    [7, 1, { points: 7, durationSeconds: 60 }],
    [1, 1, { points: 1, durationSeconds: 60 }],
    [3000, 50, { points: 50, durationSeconds: 1 }],
  ])('%i/min, burst %i → steady %j and the burst per minute', (perMinute, burst, steady) => {
    expect(planRateLimitWindows(perMinute, burst)).toEqual({
      steady,
      burst: { points: burst, durationSeconds: 60 },
    });
  });

  it.each([
    [0, 1],
    [1.5, 1],
    [60, -1],
  ])('rejects %d/min with burst %d', (perMinute, burst) => {
    expect(() => planRateLimitWindows(perMinute, burst)).toThrow(RangeError);
  });
});
