import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { askAgent } from '../../src/agent/ask-agent.ts';
import { createAgentResponder } from '../../src/agent/create-agent-responder.ts';
import { formatAskResult } from '../../src/agent/format-ask-result.ts';
import { createOfflineResponder } from '../../src/agent/offline/create-offline-responder.ts';
import { updateInboxSettings } from '../../src/agent/settings/update-inbox-settings.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { agentRuns } from '../../src/db/schema/index.ts';
import { createTestDatabase } from '../setup/test-database.ts';
import {
  buildAgentDeps,
  customerMessage,
  responderInput,
  seedConversation,
} from './support/agent-test-deps.ts';
import { createFakeKnowledgeSearch } from './support/fake-knowledge-search.ts';
import { createScriptedModel } from './support/mock-model.ts';

const KNOWLEDGE = createFakeKnowledgeSearch([
  {
    kind: 'faq',
    title: 'FAQ',
    url: 'https://help.example.com/faq',
    content: 'Q: How long does shipping take?\nA: Shipping takes 3 to 5 business days within the EU.',
  },
  {
    kind: 'faq',
    title: 'FAQ',
    url: 'https://help.example.com/faq',
    content: 'Q: How do I get a refund?\nA: Reply with your order number and we refund within 14 days.',
  },
  {
    kind: 'faq',
    title: 'FAQ (pt)',
    content: 'Pergunta: Qual é o horário da loja?\nResposta: A loja abre de segunda a sexta, das 9h às 18h.',
  },
  {
    title: 'Gift cards',
    url: 'https://help.example.com/gift-cards',
    headingPath: ['Payments', 'Gift cards'],
    content: 'Gift cards never expire and can be combined with discount codes at checkout.',
  },
]);

describe('offline responder', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  const respond = async (text: string, options: { inboxId?: number; now?: Date } = {}) => {
    const deps = buildAgentDeps({ db: handle.db, knowledge: KNOWLEDGE });
    const conversation = await seedConversation(handle.db, { inboxId: options.inboxId ?? 7 });
    return createOfflineResponder(deps).respond(
      responderInput(conversation, [customerMessage(text)], options.now ? { now: options.now } : {}),
    );
  };

  it("answers with an FAQ's answer and its source when the question matches", async () => {
    const decision = await respond('Hello! How long does shipping take to Germany?');
    expect(decision).toMatchObject({
      kind: 'reply',
      reason: 'faq_match',
      citations: [{ title: 'FAQ', url: 'https://help.example.com/faq' }],
    });
    if (decision.kind !== 'reply') return;
    expect(decision.messages).toEqual([
      'Shipping takes 3 to 5 business days within the EU.\n\n🔗 FAQ: https://help.example.com/faq',
    ]);
    const [run] = await handle.db.select().from(agentRuns).where(eq(agentRuns.id, decision.runId!));
    expect(run).toMatchObject({
      responder: 'offline',
      decisionKind: 'reply',
      isGrounded: true,
      model: null,
      inputTokens: 0,
      costUsd: 0,
    });
    expect(run!.passages.find((passage) => passage.kind === 'faq')).toMatchObject({
      confidence: expect.any(Number),
    });
  });

  it('matches across accents and plural forms (Portuguese FAQ)', async () => {
    const decision = await respond('Qual o horário da loja?');
    expect(decision).toMatchObject({ kind: 'reply', reason: 'faq_match' });
    if (decision.kind === 'reply') expect(decision.messages[0]).toContain('A loja abre de segunda a sexta');
  });

  it('answers with the best passage when it covers every content word', async () => {
    const decision = await respond('Do gift cards expire?');
    expect(decision).toMatchObject({ kind: 'reply', reason: 'passage_match' });
    if (decision.kind !== 'reply') return;
    expect(decision.messages[0]).toContain('Gift cards never expire');
    expect(decision.citations).toEqual([
      {
        title: 'Gift cards',
        url: 'https://help.example.com/gift-cards',
        headingPath: 'Payments > Gift cards',
      },
    ]);
  });

  it('hands off with no_answer when the best match is weak', async () => {
    const decision = await respond('Can I pay for shipping with bitcoin from Brazil?');
    expect(decision).toMatchObject({ kind: 'handoff', reason: 'no_answer' });
    if (decision.kind === 'handoff') expect(decision.summary).toContain('no confident answer');
    const nothing = await respond('asdkjh qwpoeiru');
    expect(nothing).toMatchObject({ kind: 'handoff', reason: 'no_answer' });
    const greeting = await respond('hi!');
    expect(greeting).toMatchObject({ kind: 'handoff', reason: 'no_answer' });
  });

  it('applies configured thresholds', async () => {
    // "how long shipping take to germany" covers the FAQ question fully but only half of the message.
    await updateInboxSettings(
      { db: handle.db },
      { connection: 'default', inboxId: 31, patch: { offline: { faqThreshold: 0.95 } }, author: 'test' },
    );
    expect(await respond('How long does shipping take to Germany?', { inboxId: 31 })).toMatchObject({
      kind: 'handoff',
      reason: 'no_answer',
    });
    await updateInboxSettings(
      { db: handle.db },
      { connection: 'default', inboxId: 32, patch: { offline: { passageThreshold: 0.4 } }, author: 'test' },
    );
    expect(await respond('Do gift cards work with bank transfers?', { inboxId: 32 })).toMatchObject({
      kind: 'reply',
      reason: 'passage_match',
    });
    expect(await respond('Do gift cards work with bank transfers?', { inboxId: 7 })).toMatchObject({
      kind: 'handoff',
      reason: 'no_answer',
    });
  });

  it.each([
    ['en', 'Can I talk to a human please?'],
    ['en', 'agent'],
    ['pt', 'Quero falar com um atendente'],
    ['pt', 'preciso de atendimento humano'],
    ['es', 'Quiero hablar con una persona'],
    ['es', 'necesito un agente'],
  ])('hands off when the customer asks for a human (%s: %s)', async (_language, text) => {
    const decision = await respond(text);
    expect(decision).toMatchObject({ kind: 'handoff', reason: 'customer_asked_for_human' });
  });

  it('honours business hours in the inbox time zone (clock injected)', async () => {
    await updateInboxSettings(
      { db: handle.db },
      {
        connection: 'default',
        inboxId: 33,
        patch: {
          businessHours: {
            enabled: true,
            timeZone: 'America/Sao_Paulo',
            whenClosed: 'handoff',
            outOfHoursMessage: 'Estamos fechados agora; respondemos a partir das 9h.',
          },
        },
        author: 'test',
      },
    );
    // Monday 2026-03-02 13:00 UTC = 10:00 in São Paulo (UTC−3): open, so the FAQ answers.
    const open = await respond('How long does shipping take?', {
      inboxId: 33,
      now: new Date('2026-03-02T13:00:00Z'),
    });
    expect(open).toMatchObject({ kind: 'reply' });
    // Monday 2026-03-02 11:00 UTC = 08:00 in São Paulo: closed (although it is 11:00 in UTC).
    const closed = await respond('How long does shipping take?', {
      inboxId: 33,
      now: new Date('2026-03-02T11:00:00Z'),
    });
    expect(closed).toMatchObject({
      kind: 'handoff',
      reason: 'outside_business_hours',
      customerMessage: 'Estamos fechados agora; respondemos a partir das 9h.',
    });
    // Saturday: closed all day.
    const weekend = await respond('How long does shipping take?', {
      inboxId: 33,
      now: new Date('2026-03-07T15:00:00Z'),
    });
    expect(weekend).toMatchObject({ kind: 'handoff', reason: 'outside_business_hours' });
  });

  it('keeps answering outside hours when configured, using the out-of-hours message on handoff', async () => {
    await updateInboxSettings(
      { db: handle.db },
      {
        connection: 'default',
        inboxId: 34,
        patch: { businessHours: { enabled: true, timeZone: 'Asia/Tokyo', whenClosed: 'answer' } },
        author: 'test',
      },
    );
    // 2026-03-02 10:00 UTC = 19:00 in Tokyo: closed.
    expect(await respond('How long does shipping take?', { inboxId: 34 })).toMatchObject({ kind: 'reply' });
    const handoff = await respond('I want to speak to a person', { inboxId: 34 });
    expect(handoff).toMatchObject({ kind: 'handoff', reason: 'customer_asked_for_human' });
    if (handoff.kind === 'handoff') expect(handoff.customerMessage).toMatch(/offline right now/);
  });

  it('is what createAgentResponder uses when no model is configured (LLM_PROVIDER=none)', async () => {
    const deps = buildAgentDeps({ db: handle.db, knowledge: KNOWLEDGE });
    expect(deps.llm.provider).toBe('none');
    const conversation = await seedConversation(handle.db);
    const decision = await createAgentResponder(deps).respond(
      responderInput(conversation, [customerMessage('How do I get a refund?')]),
    );
    expect(decision).toMatchObject({ kind: 'reply', reason: 'faq_match' });
  });

  it('is used per inbox when the inbox turns the model off, even with a model configured', async () => {
    await updateInboxSettings(
      { db: handle.db },
      { connection: 'default', inboxId: 35, patch: { model: { provider: 'none' } }, author: 'test' },
    );
    const scripted = createScriptedModel([{ text: 'from the model' }]);
    const deps = buildAgentDeps({ db: handle.db, knowledge: KNOWLEDGE, model: scripted.model });
    const conversation = await seedConversation(handle.db, { inboxId: 35 });
    const decision = await createAgentResponder(deps).respond(
      responderInput(conversation, [customerMessage('How do I get a refund?')]),
    );
    expect(decision).toMatchObject({ kind: 'reply', reason: 'faq_match' });
    expect(scripted.callCount()).toBe(0);
  });

  it('answers `ask` from the terminal and formats the result', async () => {
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: KNOWLEDGE,
      now: new Date('2026-03-02T10:00:00Z'),
    });
    const result = await askAgent(deps, { question: 'How do I get a refund?' });
    expect(result.decision).toMatchObject({ kind: 'reply', reason: 'faq_match' });
    expect(result.sources).toEqual([{ title: 'FAQ', url: 'https://help.example.com/faq' }]);
    expect(result.run).toMatchObject({
      source: 'ask',
      conversationId: null,
      inboxId: null,
      responder: 'offline',
    });
    const text = formatAskResult(result, { verbose: true });
    expect(text).toContain('we refund within 14 days');
    expect(text).toContain('Sources:');
    expect(text).toContain('offline');
    expect(text).toContain(`run ${result.run.id}`);
    expect(text).toContain('confidence');
  });

  it('never stays silent when the knowledge search fails: hands off with agent_error', async () => {
    const failing = createFakeKnowledgeSearch([]);
    failing.failWith = new Error('database is down');
    const deps = buildAgentDeps({ db: handle.db, knowledge: failing });
    const conversation = await seedConversation(handle.db);
    const decision = await createOfflineResponder(deps).respond(
      responderInput(conversation, [customerMessage('Refund?')]),
    );
    expect(decision).toMatchObject({ kind: 'handoff', reason: 'agent_error' });
    const [run] = await handle.db.select().from(agentRuns).where(eq(agentRuns.id, decision.runId!));
    expect(run!.error).toBe('database is down');
  });
});
