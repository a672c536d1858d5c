import { afterEach, describe, expect, it } from 'vitest';

import { createConversationRepository } from '../../src/db/repositories/conversation-repository.ts';
import { createOutboxRepository } from '../../src/db/repositories/outbox-repository.ts';
import {
  buildPipelineHarness,
  INBOX_ID,
  sleep,
  type PipelineHarness,
} from '../setup/build-pipeline-harness.ts';
import { createScriptedResponder } from '../setup/scripted-responder.ts';

describe('reply pipeline against the Chatwoot simulator', () => {
  let harness: PipelineHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  const typingEndsOff = (h: PipelineHarness, conversationId: number) => {
    const timeline = h.sim.typingTimeline(conversationId).filter((event) => event.performer === 'agent_bot');
    return timeline.length === 0 || timeline.at(-1)!.typingStatus === 'off';
  };

  it('answers a burst of 5 customer messages with exactly one reply built from all 5', async () => {
    // A window well above webhook delivery time even on a loaded CI machine (the product default is 3 s).
    harness = await buildPipelineHarness({ env: { REPLY_DEBOUNCE_MS: '1500', REPLY_MAX_WAIT_MS: '8000' } });
    const first = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'hello' });
    for (const text of ['my order', 'is late', 'number A-1042', 'can you check?']) {
      await sleep(40);
      harness.sim.customerSays({ inboxId: INBOX_ID, conversationId: first.conversationId, content: text });
    }
    await harness.settle();
    const replies = harness.sim.botReplies(first.conversationId);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.content).toBe('Re: hello | my order | is late | number A-1042 | can you check?');
    expect(harness.responder.calls).toHaveLength(1);
    expect(harness.responder.calls[0]!.newMessages).toHaveLength(5);
    expect(typingEndsOff(harness, first.conversationId)).toBe(true);
    // The bot's own echo came back and is in the transcript as the bot's, not the customer's.
    const conversation = await createConversationRepository(harness.app.core.database.db).findByKey({
      connection: 'default',
      accountId: 1,
      chatwootConversationId: first.conversationId,
    });
    expect(conversation?.owner).toBe('bot');
    const outbox = await createOutboxRepository(harness.app.core.database.db).listByConversation(
      conversation!.id,
    );
    expect(outbox.map((row) => [row.kind, row.status, row.chatwootMessageId])).toEqual([
      ['reply', 'sent', replies[0]!.id],
    ]);
  });

  it.each([
    [
      'a human public reply',
      (h: PipelineHarness, id: number) => h.sim.agentReplies(id, 'Hi, Daniel here, let me check.'),
    ],
    ['a human assignment', (h: PipelineHarness, id: number) => h.sim.agentAssigns(id, 3)],
    ['a status change to open', (h: PipelineHarness, id: number) => h.sim.agentSetsStatus(id, 'open')],
  ])('%s during the debounce window means zero bot messages', async (_name, takeover) => {
    harness = await buildPipelineHarness({ env: { REPLY_DEBOUNCE_MS: '800', REPLY_MAX_WAIT_MS: '5000' } });
    const { conversationId } = harness.sim.customerSays({
      inboxId: INBOX_ID,
      content: 'where is my parcel?',
    });
    await sleep(150);
    takeover(harness, conversationId);
    await sleep(1200);
    harness.sim.customerSays({ inboxId: INBOX_ID, conversationId, content: 'hello??' });
    await harness.settle();
    expect(harness.sim.botReplies(conversationId)).toHaveLength(0);
    expect(
      harness.sim.privateNotes(conversationId).filter((note) => note.senderType === 'agent_bot'),
    ).toHaveLength(0);
    expect(harness.responder.calls).toHaveLength(0);
  });

  it.each([
    [
      'a human public reply',
      (h: PipelineHarness, id: number) => h.sim.agentReplies(id, 'I will take this one.'),
    ],
    ['a human assignment', (h: PipelineHarness, id: number) => h.sim.agentAssigns(id, 4)],
    ['a status change to snoozed', (h: PipelineHarness, id: number) => h.sim.agentSetsStatus(id, 'snoozed')],
  ])('%s during a run drops the reply and typing ends off', async (_name, takeover) => {
    harness = await buildPipelineHarness({
      responder: createScriptedResponder({ delayMs: 1500 }),
      env: { REPLY_DEBOUNCE_MS: '0' },
    });
    const { conversationId } = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'question' });
    const deadline = Date.now() + 10_000;
    while (harness.responder.calls.length === 0 && Date.now() < deadline) await sleep(20);
    expect(harness.responder.calls).toHaveLength(1);
    takeover(harness, conversationId);
    await harness.settle();
    expect(harness.sim.botReplies(conversationId)).toHaveLength(0);
    expect(typingEndsOff(harness, conversationId)).toBe(true);
  });

  it('a message arriving during a run is answered by the next run, not lost', async () => {
    harness = await buildPipelineHarness({
      responder: createScriptedResponder({ delayMs: 700 }),
      env: { REPLY_DEBOUNCE_MS: '100' },
    });
    const { conversationId } = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'first question' });
    const deadline = Date.now() + 10_000;
    while (harness.responder.calls.length === 0 && Date.now() < deadline) await sleep(20);
    harness.sim.customerSays({ inboxId: INBOX_ID, conversationId, content: 'second question' });
    await harness.settle();
    expect(harness.sim.botReplies(conversationId).map((message) => message.content)).toEqual([
      'Re: first question',
      'Re: second question',
    ]);
  });

  it('hands off with a private note, a message to the customer and toggle_status open; then stays silent', async () => {
    harness = await buildPipelineHarness();
    const { conversationId } = harness.sim.customerSays({
      inboxId: INBOX_ID,
      content: 'I want to talk to a human please',
    });
    await harness.settle();
    const notes = harness.sim.privateNotes(conversationId).filter((note) => note.senderType === 'agent_bot');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.content).toContain('customer asked for human');
    expect(harness.sim.botReplies(conversationId).map((message) => message.content)).toEqual([
      'Connecting you with a colleague now.',
    ]);
    expect(harness.sim.conversation(conversationId)?.status).toBe('open');

    harness.sim.agentReplies(conversationId, 'Hello, Daniel here.');
    harness.sim.customerSays({ inboxId: INBOX_ID, conversationId, content: 'thanks! and one more thing' });
    await harness.settle();
    expect(harness.sim.botReplies(conversationId)).toHaveLength(1);
    expect(harness.responder.calls).toHaveLength(1);
  });

  it('comes back to the bot when the conversation is resolved and reopened as pending', async () => {
    harness = await buildPipelineHarness();
    const { conversationId } = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'hi' });
    await harness.settle();
    harness.sim.agentReplies(conversationId, 'human here');
    harness.sim.agentSetsStatus(conversationId, 'resolved');
    await harness.settle();
    harness.sim.customerSays({ inboxId: INBOX_ID, conversationId, content: 'back again' });
    await harness.settle();
    expect(harness.sim.conversation(conversationId)?.status).toBe('pending');
    expect(harness.sim.botReplies(conversationId).map((message) => message.content)).toEqual([
      'Re: hi',
      'Re: back again',
    ]);
  });

  it('still answers each burst exactly once when Chatwoot answers 30% of requests with 429/500 and latency', async () => {
    harness = await buildPipelineHarness({ env: { REPLY_DEBOUNCE_MS: '1500', REPLY_MAX_WAIT_MS: '8000' } });
    harness.sim.faults.configure({ rate429: 0.15, rate500: 0.15, latencyMs: { min: 5, max: 60 } });
    const conversations = Array.from({ length: 6 }, (_, index) =>
      harness!.sim.customerSays({ inboxId: INBOX_ID, content: `question ${index}`, newConversation: true }),
    );
    for (const [index, conversation] of conversations.entries()) {
      harness.sim.customerSays({
        inboxId: INBOX_ID,
        conversationId: conversation.conversationId,
        content: `detail ${index}`,
      });
    }
    await harness.settle(60_000);
    const faulted = harness.sim.apiCalls().filter((call) => call.fault !== null);
    expect(faulted.length).toBeGreaterThan(0);
    for (const [index, conversation] of conversations.entries()) {
      const replies = harness.sim.botReplies(conversation.conversationId).map((message) => message.content);
      expect(replies).toEqual([`Re: question ${index} | detail ${index}`]);
      expect(typingEndsOff(harness, conversation.conversationId)).toBe(true);
    }
  });

  it('reconciles a send that timed out after Chatwoot created the message instead of posting twice', async () => {
    harness = await buildPipelineHarness({ env: { CHATWOOT_TIMEOUT_MS: '300', REPLY_DEBOUNCE_MS: '0' } });
    // Chatwoot is slow on message creation: the client gives up, Chatwoot still creates it.
    harness.sim.faults.failNext(0, 500);
    harness.sim.faults.configure({ methods: ['POST'], paths: [/\/messages$/], latencyMs: 700 });
    const { conversationId } = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'slow chatwoot' });
    await sleep(1500);
    harness.sim.faults.clear();
    await harness.settle(30_000);
    expect(harness.sim.botReplies(conversationId).map((message) => message.content)).toEqual([
      'Re: slow chatwoot',
    ]);
    const conversation = await createConversationRepository(harness.app.core.database.db).findByKey({
      connection: 'default',
      accountId: 1,
      chatwootConversationId: conversationId,
    });
    const [row] = await createOutboxRepository(harness.app.core.database.db).listByConversation(
      conversation!.id,
    );
    expect(row?.status).toBe('sent');
    expect(row?.attempts).toBe(1);
  });

  it('never leaks a run when the Chatwoot connection cannot be used (regression)', async () => {
    harness = await buildPipelineHarness();
    const run = harness.pipeline.deps;
    const broken = {
      ...run,
      chatwoot: () => {
        throw new Error('no connection');
      },
    };
    const { runResponder } = await import('../../src/pipeline/run-responder.ts');
    const conversation = { id: 999, episode: 1 } as never;
    await expect(
      runResponder(
        broken,
        conversation,
        { connection: 'x', accountId: 1, conversationId: 1 },
        { conversation: {} as never, transcript: [], newMessages: [], now: new Date() },
      ),
    ).rejects.toThrow('no connection');
    expect(run.runs.activeCount()).toBe(0);
  });
});
