import { APICallError } from 'ai';
import { describe, expect, it } from 'vitest';

import { isTransientModelError, retryAfterMs } from '../../src/agent/models/is-transient-model-error.ts';
import { resolveModelSettings } from '../../src/agent/models/resolve-model-settings.ts';
import { parseFaqPassage } from '../../src/agent/offline/parse-faq-passage.ts';
import {
  scorePassageMatch,
  termsMatch,
  messageSegments,
} from '../../src/agent/offline/score-passage-match.ts';
import { buildTranscriptWindow } from '../../src/agent/run/build-transcript-window.ts';
import { detectHumanRequest } from '../../src/agent/run/detect-human-request.ts';
import { formatReply, truncateAtSentence } from '../../src/agent/run/format-reply.ts';
import { estimateCostUsd } from '../../src/agent/run/price-table.ts';
import { isWithinBusinessHours, startOfDayIn } from '../../src/agent/settings/business-hours.ts';
import {
  DEFAULT_INBOX_SETTINGS,
  inboxSettingsSchema,
} from '../../src/agent/settings/inbox-settings-schema.ts';
import { mergeSettingsPatch } from '../../src/agent/settings/merge-settings-patch.ts';
import type { KnowledgePassage } from '../../src/knowledge/knowledge-search.ts';
import { llmConfig } from './support/agent-test-deps.ts';

const passage = (content: string, overrides: Partial<KnowledgePassage> = {}): KnowledgePassage => ({
  chunkId: 1,
  documentId: 1,
  content,
  kind: 'passage',
  score: 0.03,
  fullTextRank: 0.1,
  vectorDistance: null,
  citation: { title: 'Doc', headingPath: [] },
  language: 'en',
  ...overrides,
});

describe('detectHumanRequest', () => {
  it.each([
    ['I want to talk to a human', true],
    ['Can I speak with a real person?', true],
    ['connect me to support', true],
    ['Agent!', true],
    ['No, I want to talk to a person', true],
    ['Quero falar com um atendente, por favor', true],
    ['Posso falar com alguém?', true],
    ['me transfere para um atendente', true],
    ['Necesito hablar con un asesor', true],
    ['¿Puedo hablar con una persona real?', true],
    ['Je voudrais parler à un conseiller', true],
    ["I don't need to talk to a human, just tell me the price", false],
    ['Não quero falar com atendente, só o preço', false],
    ['no quiero hablar con un agente', false],
    ['How long does shipping take?', false],
    ['My agent code is 1234', false],
    ['The person who delivered it was rude', false],
  ])('%s → %s', (text, expected) => {
    expect(detectHumanRequest(text)).toBe(expected);
  });
});

describe('scorePassageMatch (offline confidence)', () => {
  const faq = passage('Q: How long does shipping take?\nA: 3 to 5 days.', { kind: 'faq' });
  it.each([
    ['How long does shipping take?', 1],
    // Question filler ("long", "take") weighs a quarter of a content word.
    ['how long does shipping take to Germany?', 0.88],
    ['Shipping?', 0.767],
    ['Can I get a refund?', 0],
    ['hi', 0],
  ])('FAQ vs "%s" → %s', (message, expected) => {
    expect(scorePassageMatch(message, faq).confidence).toBeCloseTo(expected, 3);
  });

  it('scores passages by coverage of the message, and lets vector similarity compete', () => {
    const text = passage('Gift cards never expire and combine with discount codes.');
    expect(scorePassageMatch('Do gift cards expire?', text).confidence).toBe(1);
    expect(scorePassageMatch('Do gift cards work for rentals?', text).confidence).toBeCloseTo(0.5, 3);
    const semantic = passage('Vouchers stay valid forever.', { vectorDistance: 0.12 });
    expect(scorePassageMatch('Do gift cards expire?', semantic)).toMatchObject({
      lexical: 0,
      semantic: 0.88,
      confidence: 0.88,
    });
  });
});

describe('offline matching of real customer phrasing', () => {
  const canada = passage(
    'Orders to Canada ship with UPS Standard and arrive in 5–10 business days. Shipping costs CA$12.',
    {
      citation: { title: 'Shipping and delivery', headingPath: ['Canada'] },
    },
  );

  it('counts the passage headings and discounts question filler', () => {
    // "delivery" only appears in the title; "how long … take, how much" are filler.
    expect(
      scorePassageMatch('How long does delivery to Canada take, and how much does it cost?', canada)
        .confidence,
    ).toBeCloseTo(0.8, 3);
    expect(scorePassageMatch('Do you deliver to Mexico?', canada).confidence).toBeLessThan(0.7);
  });

  it('judges a burst by its question, not by the context around it', () => {
    const returns = passage('You can return most items within 30 days of delivery for a full refund.', {
      citation: { title: 'Returns and refunds', headingPath: [] },
    });
    const burst =
      'Another thing:\nI bought a jacket 2 weeks ago\ncan I still return it and how long does the refund take?';
    expect(scorePassageMatch(burst, returns).confidence).toBeCloseTo(0.727, 3); // above the 0.7 passage threshold
    expect(messageSegments(burst)).toHaveLength(2);
  });

  it.each([
    ['pagar', 'pagamento', true],
    ['aceitas', 'aceitamos', true],
    ['devolver', 'devolución', false],
    ['devolucion', 'devoluciones', true],
    ['ship', 'shipping', true],
    ['cost', 'costume', true],
    ['card', 'carrier', false],
    ['pay', 'payment', false],
  ])('termsMatch(%s, %s) → %s', (a, b, expected) => {
    expect(termsMatch(a, b)).toBe(expected);
  });
});

describe('parseFaqPassage', () => {
  it.each([
    ['Q: What is X?\nA: X is Y.', { question: 'What is X?', answer: 'X is Y.' }],
    ['Pergunta: O que é X?\nResposta: X é Y.', { question: 'O que é X?', answer: 'X é Y.' }],
    ['## What is X?\n\nX is Y.', { question: 'What is X?', answer: 'X is Y.' }],
    ['**What is X?**\nX is Y.', { question: 'What is X?', answer: 'X is Y.' }],
    ['What is X?\nX is Y.', { question: 'What is X?', answer: 'X is Y.' }],
  ])('%j', (content, expected) => {
    expect(parseFaqPassage({ content, citation: { title: 't', headingPath: [] } })).toEqual(expected);
  });

  it('falls back to the heading path, and to null', () => {
    expect(
      parseFaqPassage({ content: 'X is Y.', citation: { title: 't', headingPath: ['FAQ', 'What is X?'] } }),
    ).toEqual({ question: 'What is X?', answer: 'X is Y.' });
    expect(parseFaqPassage({ content: 'X is Y.', citation: { title: 't', headingPath: [] } })).toBeNull();
  });
});

describe('formatReply', () => {
  const numbered = [
    {
      number: 1,
      passage: passage('a', { citation: { title: 'Shipping', url: 'https://x/shipping', headingPath: [] } }),
    },
    {
      number: 2,
      passage: passage('b', { chunkId: 2, citation: { title: 'Returns', headingPath: ['Policies'] } }),
    },
  ];
  const style = DEFAULT_INBOX_SETTINGS.replyStyle;

  it('strips markers, keeps only real citations, and lists sources when enabled', () => {
    const reply = formatReply(
      'Ships in 2 days [1]. Returns take a week [2, 9]. Unknown [7].',
      numbered,
      style,
      true,
    );
    expect(reply.citedNumbers).toEqual([1, 2]);
    expect(reply.messages).toEqual([
      'Ships in 2 days. Returns take a week. Unknown.\n\n🔗 Shipping: https://x/shipping\n🔗 Returns',
    ]);
    expect(reply.citations).toEqual([
      { title: 'Shipping', url: 'https://x/shipping' },
      { title: 'Returns', headingPath: 'Policies' },
    ]);
    expect(formatReply('Ships in 2 days [1].', numbered, style, false).messages).toEqual([
      'Ships in 2 days.',
    ]);
  });

  it('caps the length at a sentence and splits paragraphs into messages when asked', () => {
    const long = `${'First sentence here. '.repeat(10)}\n\n${'Second paragraph. '.repeat(10)}\n\nThird.`;
    const single = formatReply(long, [], { maxLength: 120, split: false, maxMessages: 3 }, true).messages;
    expect(single).toHaveLength(1);
    expect(single[0]!.length).toBeLessThanOrEqual(120);
    expect(single[0]).toMatch(/here\.$/);
    const split = formatReply(long, [], { maxLength: 250, split: true, maxMessages: 3 }, true).messages;
    expect(split.length).toBeGreaterThan(1);
    expect(split.length).toBeLessThanOrEqual(3);
    for (const message of split) expect(message.length).toBeLessThanOrEqual(250);
    expect(truncateAtSentence('word '.repeat(50), 30)).toMatch(/…$/);
  });

  it('returns no message for empty text', () => {
    expect(formatReply('  [1] ', numbered, style, true).messages).toEqual([]);
  });
});

describe('transient model errors', () => {
  const apiError = (statusCode: number, headers?: Record<string, string>) =>
    new APICallError({
      message: `HTTP ${statusCode}`,
      url: 'u',
      requestBodyValues: {},
      statusCode,
      responseHeaders: headers,
    });
  it.each([
    [apiError(429), true],
    [apiError(500), true],
    [apiError(529), true],
    [apiError(408), true],
    [apiError(400), false],
    [apiError(401), false],
    [apiError(404), false],
    [new DOMException('t', 'TimeoutError'), true],
    [
      new TypeError('fetch failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }),
      true,
    ],
    [new Error('bug'), false],
  ])('%s → %s', (error, expected) => {
    expect(isTransientModelError(error)).toBe(expected);
  });

  it('reads Retry-After in seconds, ms and dates', () => {
    expect(retryAfterMs(apiError(429, { 'Retry-After': '2' }))).toBe(2_000);
    expect(retryAfterMs(apiError(429, { 'retry-after-ms': '150' }))).toBe(150);
    expect(retryAfterMs(apiError(429, { 'retry-after': new Date(10_000).toUTCString() }), 5_000)).toBe(5_000);
    expect(retryAfterMs(apiError(429))).toBeUndefined();
  });
});

describe('model resolution and prices', () => {
  it('applies inbox overrides to the service config', () => {
    const none = { provider: 'inherit', modelId: null, temperature: null, maxOutputTokens: null } as const;
    expect(resolveModelSettings(llmConfig(), none)).toMatchObject({
      kind: 'llm',
      settings: { provider: 'openai', modelId: 'gpt-4.1-mini' },
    });
    expect(
      resolveModelSettings(llmConfig(), { ...none, modelId: 'gpt-4.1', temperature: 0.2 }),
    ).toMatchObject({
      kind: 'llm',
      settings: { modelId: 'gpt-4.1', temperature: 0.2 },
    });
    expect(resolveModelSettings(llmConfig(), { ...none, provider: 'none' })).toEqual({
      kind: 'offline',
      reason: 'inbox_offline',
    });
    expect(resolveModelSettings(llmConfig({ provider: 'none' }), none)).toEqual({
      kind: 'offline',
      reason: 'no_provider',
    });
    expect(
      resolveModelSettings(llmConfig({ provider: 'openai-compatible', baseUrl: undefined }), none),
    ).toEqual({ kind: 'offline', reason: 'no_base_url' });
    // The resolved settings never carry credentials.
    expect(JSON.stringify(resolveModelSettings(llmConfig(), none))).not.toContain('sk-');
  });

  it('prices by exact id or longest prefix, with cache reads discounted', () => {
    const prices = {
      'gpt-4.1': { inputPerMillionUsd: 2, outputPerMillionUsd: 8 },
      'gpt-4.1-mini': { inputPerMillionUsd: 0.4, outputPerMillionUsd: 1.6, cachedInputPerMillionUsd: 0.1 },
    };
    expect(
      estimateCostUsd(prices, 'gpt-4.1-mini-2025-04-14', { inputTokens: 1_000_000, outputTokens: 0 }),
    ).toBeCloseTo(0.4);
    expect(
      estimateCostUsd(prices, 'gpt-4.1-mini', {
        inputTokens: 1_000_000,
        outputTokens: 1_000_000,
        cachedInputTokens: 500_000,
      }),
    ).toBeCloseTo(0.2 + 0.05 + 1.6);
    expect(estimateCostUsd(prices, 'llama3', { inputTokens: 1_000_000, outputTokens: 1 })).toBe(0);
  });
});

describe('business hours (IANA time zones)', () => {
  const hours = inboxSettingsSchema.parse({
    businessHours: { enabled: true, timeZone: 'Europe/Lisbon' },
  }).businessHours;
  it.each([
    ['2026-03-02T08:59:00Z', false], // Monday 08:59 Lisbon (WET = UTC)
    ['2026-03-02T09:00:00Z', true],
    ['2026-03-02T16:59:00Z', true],
    ['2026-03-02T17:00:00Z', false],
    ['2026-07-06T08:30:00Z', true], // Monday 09:30 Lisbon in summer (WEST = UTC+1)
    ['2026-07-06T16:30:00Z', false], // 17:30 Lisbon in summer
    ['2026-03-07T12:00:00Z', false], // Saturday
  ])('%s → %s', (instant, expected) => {
    expect(isWithinBusinessHours(hours, new Date(instant))).toBe(expected);
  });

  it('is always open when disabled', () => {
    expect(
      isWithinBusinessHours(DEFAULT_INBOX_SETTINGS.businessHours, new Date('2026-03-07T03:00:00Z')),
    ).toBe(true);
  });

  it('computes local midnight for daily budgets, across DST', () => {
    expect(startOfDayIn('America/Sao_Paulo', new Date('2026-03-02T02:00:00Z')).toISOString()).toBe(
      '2026-03-01T03:00:00.000Z',
    );
    expect(startOfDayIn('Europe/Lisbon', new Date('2026-07-06T12:00:00Z')).toISOString()).toBe(
      '2026-07-05T23:00:00.000Z',
    );
    expect(startOfDayIn('Asia/Kolkata', new Date('2026-03-02T20:00:00Z')).toISOString()).toBe(
      '2026-03-02T18:30:00.000Z',
    );
    expect(startOfDayIn('UTC', new Date('2026-03-02T20:00:00Z')).toISOString()).toBe(
      '2026-03-02T00:00:00.000Z',
    );
  });
});

describe('settings merge patch', () => {
  it('merges objects, replaces arrays and scalars, and removes overrides with null', () => {
    const base = {
      name: 'A',
      guardrails: { refuseTopics: ['x'], neverPromise: ['y'] },
      tools: { allowedLabels: ['a'] },
    };
    expect(
      mergeSettingsPatch(base, {
        guardrails: { refuseTopics: ['z'] },
        name: null,
        tools: { allowedLabels: null },
      }),
    ).toEqual({
      guardrails: { refuseTopics: ['z'], neverPromise: ['y'] },
    });
    expect(base.name).toBe('A');
  });
});

describe('transcript window', () => {
  it('drops private notes and leading bot lines, and labels human replies', () => {
    const at = new Date();
    const messages = buildTranscriptWindow(
      [
        { chatwootMessageId: 1, role: 'template', content: 'Welcome!', sentAt: at },
        { chatwootMessageId: 2, role: 'customer', content: 'Hi', sentAt: at },
        { chatwootMessageId: 3, role: 'note', content: 'internal: VIP, refund approved', sentAt: at },
        { chatwootMessageId: 4, role: 'human', content: 'Hello from Ana', sentAt: at },
        { chatwootMessageId: 5, role: 'customer', content: 'Thanks', sentAt: at },
      ],
      [{ chatwootMessageId: 5, role: 'customer', content: 'Thanks', sentAt: at }],
      1_000,
    );
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(messages)).not.toContain('refund approved');
    expect(JSON.stringify(messages[1])).toContain('human agent');
  });
});
