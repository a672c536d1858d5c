import { afterEach, describe, expect, it } from 'vitest';

import { buildPipelineHarness, INBOX_ID, type PipelineHarness } from '../setup/build-pipeline-harness.ts';
import { createScriptedResponder } from '../setup/scripted-responder.ts';

/**
 * The typing indicator shows only for a run that lasts longer than `typingDelayMs`: an instant
 * answer is posted without the indicator flickering (and without two Chatwoot calls counted
 * against the account's rate limit); a slow one shows it, and it always ends off.
 */
describe('the typing indicator', () => {
  let harness: PipelineHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  const botTyping = (h: PipelineHarness, conversationId: number) =>
    h.sim
      .typingTimeline(conversationId)
      .filter((event) => event.performer === 'agent_bot')
      .map((event) => event.typingStatus);

  it('stays off for a reply ready before the delay', async () => {
    harness = await buildPipelineHarness({
      env: { REPLY_DEBOUNCE_MS: '0' },
      timings: { typingDelayMs: 400 },
      responder: createScriptedResponder({ delayMs: 0 }),
    });
    const { conversationId } = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'Opening hours?' });
    await harness.settle();
    expect(harness.sim.botReplies(conversationId)).toHaveLength(1);
    expect(botTyping(harness, conversationId)).toEqual([]);
    expect(harness.sim.apiCalls({ method: 'POST', path: '/toggle_typing_status' })).toHaveLength(0);
  });

  it('shows for a slower run and ends off', async () => {
    harness = await buildPipelineHarness({
      env: { REPLY_DEBOUNCE_MS: '0' },
      timings: { typingDelayMs: 100 },
      responder: createScriptedResponder({ delayMs: 600 }),
    });
    const { conversationId } = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'Opening hours?' });
    await harness.settle();
    expect(harness.sim.botReplies(conversationId)).toHaveLength(1);
    expect(botTyping(harness, conversationId)).toEqual(['on', 'off']);
  });

  it('ends off when typing-on is still on its way as the run finishes', async () => {
    harness = await buildPipelineHarness({
      env: { REPLY_DEBOUNCE_MS: '0' },
      timings: { typingDelayMs: 50 },
      responder: createScriptedResponder({ delayMs: 100 }),
    });
    // Chatwoot takes 300 ms to answer typing-on: the run is over before it lands.
    harness.sim.faults.configure({ methods: ['POST'], paths: [/toggle_typing_status$/], latencyMs: 300 });
    const { conversationId } = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'Opening hours?' });
    await harness.settle();
    expect(harness.sim.botReplies(conversationId)).toHaveLength(1);
    expect(botTyping(harness, conversationId)).toEqual(['on', 'off']);
  });
});
