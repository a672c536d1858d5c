import { afterEach, describe, expect, it } from 'vitest';

import { buildPipelineHarness, INBOX_ID, sleep, type PipelineHarness } from '../setup/build-pipeline-harness.ts';

/**
 * Regression (found by reply-pipeline-property.test.ts): a handoff is posted as three effects —
 * private note, message to the customer, `toggle_status open`. When a human resolved or snoozed
 * the conversation while those were being posted, the bot still said "Connecting you with a
 * colleague now." and its `toggle_status open` reopened the conversation the human had just
 * closed. The remaining customer-facing handoff effects are now skipped once the conversation has
 * left `pending`.
 */
describe('a handoff overtaken by a human status change', () => {
  let harness: PipelineHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it.each(['resolved', 'snoozed'] as const)('a human sets %s while the handoff note is being posted: the bot neither speaks nor reopens', async (status) => {
    harness = await buildPipelineHarness({ env: { REPLY_DEBOUNCE_MS: '0' } });
    // Chatwoot is slow to create messages: the handoff note takes 400 ms.
    harness.sim.faults.configure({ methods: ['POST'], paths: [/\/messages$/], latencyMs: 400 });
    const { conversationId } = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'I want to talk to a human' });
    const deadline = Date.now() + 15_000;
    while (harness.sim.apiCalls({ method: 'POST', path: /\/messages$/ }).length === 0 && Date.now() < deadline) await sleep(10);
    expect(harness.sim.apiCalls({ method: 'POST', path: /\/messages$/ })).toHaveLength(1);

    harness.sim.agentSetsStatus(conversationId, status);
    const takenOverAt = harness.sim.messages(conversationId).at(-1)!.id;
    await harness.settle();

    expect(harness.sim.conversation(conversationId)?.status).toBe(status);
    // The note was already on its way; nothing the customer sees came after the human's action.
    expect(harness.sim.privateNotes(conversationId).filter((note) => note.senderType === 'agent_bot')).toHaveLength(1);
    expect(harness.sim.botReplies(conversationId).filter((message) => message.id > takenOverAt)).toEqual([]);
    expect(harness.sim.apiCalls({ method: 'POST', path: '/toggle_status' })).toHaveLength(0);
  });

  it('an undisturbed handoff still posts the note, the message and opens the conversation', async () => {
    harness = await buildPipelineHarness({ env: { REPLY_DEBOUNCE_MS: '0' } });
    const { conversationId } = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'I want to talk to a human' });
    await harness.settle();
    expect(harness.sim.conversation(conversationId)?.status).toBe('open');
    expect(harness.sim.botReplies(conversationId).map((message) => message.content)).toEqual(['Connecting you with a colleague now.']);
  });
});
