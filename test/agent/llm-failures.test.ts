import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { askAgent } from '../../src/agent/ask-agent.ts';
import { createAgentResponder } from '../../src/agent/create-agent-responder.ts';
import { updateInboxSettings } from '../../src/agent/settings/update-inbox-settings.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { agentRuns } from '../../src/db/schema/index.ts';
import { createTestDatabase } from '../setup/test-database.ts';
import {
  buildAgentDeps,
  customerMessage,
  llmConfig,
  responderInput,
  seedConversation,
} from './support/agent-test-deps.ts';
import { createFakeKnowledgeSearch } from './support/fake-knowledge-search.ts';
import { createScriptedModel } from './support/mock-model.ts';

describe('LLM failures and limits', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
    await updateInboxSettings(
      { db: handle.db },
      {
        connection: 'default',
        inboxId: 7,
        patch: { handoffActions: { unavailableMessage: 'Um momento, vou chamar a equipa.' } },
        author: 'test',
      },
    );
  });
  afterAll(async () => {
    await handle.close();
  });

  it('retries a provider timeout, then hands off with llm_unavailable and the configured message', async () => {
    const scripted = createScriptedModel([{ fail: 'hang' }]);
    // Attempt timeout 50 ms (LlmConfig.timeoutMs), 3 attempts.
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: createFakeKnowledgeSearch([]),
      model: scripted.model,
      llm: llmConfig({ timeoutMs: 50 }),
    });
    const conversation = await seedConversation(handle.db);

    const started = Date.now();
    const decision = await createAgentResponder(deps).respond(
      responderInput(conversation, [customerMessage('Do you ship to Spain?')]),
    );

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(scripted.callCount()).toBe(3);
    expect(deps.sleeps).toEqual([10, 20]);
    expect(decision).toMatchObject({
      kind: 'handoff',
      reason: 'llm_unavailable',
      customerMessage: 'Um momento, vou chamar a equipa.',
    });
    if (decision.kind !== 'handoff') return;
    expect(decision.summary).toContain('Do you ship to Spain?');
    const [run] = await handle.db.select().from(agentRuns).where(eq(agentRuns.id, decision.runId!));
    expect(run).toMatchObject({
      decisionKind: 'handoff',
      decisionReason: 'llm_unavailable',
      responder: 'llm',
    });
    expect(run!.error).toMatch(/timed out/);
  });

  it('retries 5xx responses (honouring Retry-After up to the cap), then hands off with llm_unavailable', async () => {
    const scripted = createScriptedModel([
      { fail: 'status', status: 503, headers: { 'retry-after': '1' } },
      { fail: 'status', status: 500 },
      { fail: 'status', status: 502 },
    ]);
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: createFakeKnowledgeSearch([]),
      model: scripted.model,
    });
    const conversation = await seedConversation(handle.db);

    const decision = await createAgentResponder(deps).respond(
      responderInput(conversation, [customerMessage('Hello, my order?')]),
    );

    expect(scripted.callCount()).toBe(3);
    // Retry-After: 1 s is capped at maxDelayMs (50 ms in tests); the second wait is plain backoff.
    expect(deps.sleeps).toEqual([50, 20]);
    expect(decision).toMatchObject({
      kind: 'handoff',
      reason: 'llm_unavailable',
      customerMessage: 'Um momento, vou chamar a equipa.',
    });
  });

  it('recovers when a retry succeeds (429 then an answer)', async () => {
    const scripted = createScriptedModel([
      { fail: 'status', status: 429 },
      { text: 'Yes, we ship to Spain.' },
    ]);
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: createFakeKnowledgeSearch([]),
      model: scripted.model,
    });
    const conversation = await seedConversation(handle.db);
    const decision = await createAgentResponder(deps).respond(
      responderInput(conversation, [customerMessage('Do you ship to Spain?')]),
    );
    expect(decision).toMatchObject({ kind: 'reply', messages: ['Yes, we ship to Spain.'] });
    expect(scripted.callCount()).toBe(2);
  });

  it('does not retry a permanent error (401) and hands off at once', async () => {
    const scripted = createScriptedModel([{ fail: 'status', status: 401 }]);
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: createFakeKnowledgeSearch([]),
      model: scripted.model,
    });
    const conversation = await seedConversation(handle.db);
    const decision = await createAgentResponder(deps).respond(
      responderInput(conversation, [customerMessage('Hi')]),
    );
    expect(scripted.callCount()).toBe(1);
    expect(decision).toMatchObject({ kind: 'handoff', reason: 'llm_unavailable' });
  });

  it('stops at the wall-clock run timeout and hands off', async () => {
    await updateInboxSettings(
      { db: handle.db },
      { connection: 'default', inboxId: 21, patch: { limits: { runTimeoutMs: 1_000 } }, author: 'test' },
    );
    const scripted = createScriptedModel([{ fail: 'hang' }]);
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: createFakeKnowledgeSearch([]),
      model: scripted.model,
      llm: llmConfig({ timeoutMs: 60_000 }),
    });
    const conversation = await seedConversation(handle.db, { inboxId: 21 });
    const started = Date.now();
    const decision = await createAgentResponder(deps).respond(
      responderInput(conversation, [customerMessage('Hello?')]),
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(decision).toMatchObject({ kind: 'handoff', reason: 'llm_unavailable' });
  });

  it('stays silent when the caller aborts (a human took over)', async () => {
    const scripted = createScriptedModel([{ fail: 'hang' }]);
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: createFakeKnowledgeSearch([]),
      model: scripted.model,
      llm: llmConfig({ timeoutMs: 60_000 }),
    });
    const conversation = await seedConversation(handle.db);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('human took over')), 50);
    const decision = await createAgentResponder(deps).respond(
      responderInput(conversation, [customerMessage('Hello?')], { signal: controller.signal }),
    );
    expect(decision).toMatchObject({ kind: 'silent', reason: 'aborted' });
    expect(scripted.callCount()).toBe(1);
  });

  it("hands off (not silent) when the caller's own deadline fires", async () => {
    const scripted = createScriptedModel([{ fail: 'hang' }]);
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: createFakeKnowledgeSearch([]),
      model: scripted.model,
      llm: llmConfig({ timeoutMs: 60_000 }),
    });
    const conversation = await seedConversation(handle.db);
    const decision = await createAgentResponder(deps).respond(
      responderInput(conversation, [customerMessage('Hello?')], { signal: AbortSignal.timeout(100) }),
    );
    expect(decision).toMatchObject({ kind: 'handoff', reason: 'llm_unavailable' });
  });

  it('hands off with usage_limit once the conversation budget is used up (checked before the run)', async () => {
    await updateInboxSettings(
      { db: handle.db },
      {
        connection: 'default',
        inboxId: 22,
        patch: { budgets: { perConversation: { maxTokens: 1_500 } } },
        author: 'test',
      },
    );
    const scripted = createScriptedModel([{ text: 'First answer.', inputTokens: 1_000, outputTokens: 600 }]);
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: createFakeKnowledgeSearch([]),
      model: scripted.model,
    });
    const responder = createAgentResponder(deps);
    const conversation = await seedConversation(handle.db, { inboxId: 22 });

    const first = await responder.respond(responderInput(conversation, [customerMessage('Question one')]));
    // 1,600 tokens exceed the 1,500 budget during the first run: the draft goes to the team instead.
    expect(first).toMatchObject({ kind: 'handoff', reason: 'usage_limit' });
    if (first.kind === 'handoff') expect(first.summary).toContain('First answer.');

    const second = await responder.respond(responderInput(conversation, [customerMessage('Question two')]));
    expect(second).toMatchObject({ kind: 'handoff', reason: 'usage_limit' });
    // Checked from recorded usage before the run: the model was not called again.
    expect(scripted.callCount()).toBe(1);
  });

  it('counts the daily cost budget per inbox across conversations and ask runs', async () => {
    await updateInboxSettings(
      { db: handle.db },
      {
        connection: 'default',
        inboxId: 23,
        patch: { budgets: { perDay: { maxCostUsd: 0.001 } } },
        author: 'test',
      },
    );
    // 2,000 input tokens of gpt-4.1-mini = $0.0008 + 100 output = $0.00016 → $0.00096 per run.
    const scripted = createScriptedModel([{ text: 'Answer.', inputTokens: 2_000, outputTokens: 100 }]);
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: createFakeKnowledgeSearch([]),
      model: scripted.model,
    });
    const responder = createAgentResponder(deps);

    const first = await responder.respond(
      responderInput(await seedConversation(handle.db, { inboxId: 23 }), [customerMessage('One')]),
    );
    expect(first.kind).toBe('reply');
    const second = await askAgent(
      { ...deps, now: () => new Date('2026-03-02T11:00:00Z') },
      { question: 'Two', inboxId: 23 },
    );
    expect(second.decision).toMatchObject({ kind: 'handoff', reason: 'usage_limit' });
    const third = await responder.respond(
      responderInput(await seedConversation(handle.db, { inboxId: 23 }), [customerMessage('Three')]),
    );
    expect(third).toMatchObject({ kind: 'handoff', reason: 'usage_limit' });
    // The next day the budget is fresh.
    const nextDay = await responder.respond(
      responderInput(await seedConversation(handle.db, { inboxId: 23 }), [customerMessage('Four')], {
        now: new Date('2026-03-03T09:00:00Z'),
      }),
    );
    expect(nextDay.kind).toBe('reply');
  });

  it('hands off with max_turns and unanswered_turns before calling the model', async () => {
    const scripted = createScriptedModel([{ text: 'I am not sure, could you tell me more?' }]);
    const deps = buildAgentDeps({
      db: handle.db,
      knowledge: createFakeKnowledgeSearch([]),
      model: scripted.model,
    });
    const responder = createAgentResponder(deps);

    const busy = await seedConversation(handle.db, { botTurnsInEpisode: 10 });
    expect(await responder.respond(responderInput(busy, [customerMessage('Hello')]))).toMatchObject({
      kind: 'handoff',
      reason: 'max_turns',
    });
    expect(scripted.callCount()).toBe(0);

    const conversation = await seedConversation(handle.db);
    for (let turn = 0; turn < 3; turn += 1) {
      const decision = await responder.respond(
        responderInput(conversation, [customerMessage(`Unclear question ${turn}`)]),
      );
      expect(decision.kind).toBe('reply');
    }
    const fourth = await responder.respond(responderInput(conversation, [customerMessage('Still unclear')]));
    expect(fourth).toMatchObject({ kind: 'handoff', reason: 'unanswered_turns' });
    expect(scripted.callCount()).toBe(3);
  });
});
