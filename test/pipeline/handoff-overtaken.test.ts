import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/query-rows.ts';
import {
  buildPipelineHarness,
  INBOX_ID,
  sleep,
  type PipelineHarness,
} from '../setup/build-pipeline-harness.ts';
import { createScriptedResponder } from '../setup/scripted-responder.ts';

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

  it.each(['resolved', 'snoozed'] as const)(
    'a human sets %s while the handoff note is being posted: the bot neither speaks nor reopens',
    async (status) => {
      harness = await buildPipelineHarness({ env: { REPLY_DEBOUNCE_MS: '0' } });
      // Chatwoot is slow to create messages: the handoff note takes 400 ms.
      harness.sim.faults.configure({ methods: ['POST'], paths: [/\/messages$/], latencyMs: 400 });
      const { conversationId } = harness.sim.customerSays({
        inboxId: INBOX_ID,
        content: 'I want to talk to a human',
      });
      const deadline = Date.now() + 15_000;
      while (
        harness.sim.apiCalls({ method: 'POST', path: /\/messages$/ }).length === 0 &&
        Date.now() < deadline
      )
        await sleep(10);
      expect(harness.sim.apiCalls({ method: 'POST', path: /\/messages$/ })).toHaveLength(1);

      harness.sim.agentSetsStatus(conversationId, status);
      const takenOverAt = harness.sim.messages(conversationId).at(-1)!.id;
      await harness.settle();

      expect(harness.sim.conversation(conversationId)?.status).toBe(status);
      // The note was already on its way; nothing the customer sees came after the human's action.
      expect(
        harness.sim.privateNotes(conversationId).filter((note) => note.senderType === 'agent_bot'),
      ).toHaveLength(1);
      expect(harness.sim.botReplies(conversationId).filter((message) => message.id > takenOverAt)).toEqual(
        [],
      );
      expect(harness.sim.apiCalls({ method: 'POST', path: '/toggle_status' })).toHaveLength(0);
    },
  );

  it('an undisturbed handoff still posts the note, the message and opens the conversation', async () => {
    harness = await buildPipelineHarness({ env: { REPLY_DEBOUNCE_MS: '0' } });
    const { conversationId } = harness.sim.customerSays({
      inboxId: INBOX_ID,
      content: 'I want to talk to a human',
    });
    await harness.settle();
    expect(harness.sim.conversation(conversationId)?.status).toBe('open');
    expect(harness.sim.botReplies(conversationId).map((message) => message.content)).toEqual([
      'Connecting you with a colleague now.',
    ]);
  });
});

/**
 * Regression: the labels (and priority) of a handoff were never applied. They are "bot-owned"
 * effects, re-checked for ownership before posting — and after a handoff the bot no longer owns
 * the conversation by its own decision, so the rows were skipped and left pending for ever.
 */
describe('labels of a handoff', () => {
  let harness: PipelineHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('are applied with the handoff, and every outbox row settles', async () => {
    const policy = {
      enabled: true,
      maxBotTurns: 0,
      handoff: { labels: ['needs-human'], teamId: null, defaultCustomerMessage: null },
    };
    harness = await buildPipelineHarness({
      env: { REPLY_DEBOUNCE_MS: '0' },
      pipeline: { inboxPolicy: () => Promise.resolve(policy) },
    });
    const { conversationId } = harness.sim.customerSays({
      inboxId: INBOX_ID,
      content: 'I want to talk to a human',
    });
    await harness.settle();
    expect(harness.sim.conversation(conversationId)?.status).toBe('open');
    expect(harness.sim.conversation(conversationId)?.labels).toEqual(['needs-human']);
    const rows = await queryRows<{ kind: string; status: string }>(
      harness.app.core.database.db,
      sql`select kind, status from outbound_messages order by sequence`,
    );
    expect(rows).toEqual([
      { kind: 'handoff_note', status: 'sent' },
      { kind: 'handoff_message', status: 'sent' },
      { kind: 'open', status: 'sent' },
      { kind: 'labels', status: 'sent' },
    ]);
  });
});

describe('labels of a reply dropped by a takeover', () => {
  let harness: PipelineHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('are dropped with it, instead of waiting in the outbox for a later episode', async () => {
    const responder = createScriptedResponder({
      decide: () => ({
        kind: 'reply',
        messages: ['Here you go'],
        reason: 'scripted',
        actions: [{ type: 'add_labels', labels: ['bot-answered'] }],
      }),
    });
    harness = await buildPipelineHarness({ env: { REPLY_DEBOUNCE_MS: '0' }, responder });
    // The ownership check before posting is slow to answer: a human assigns meanwhile.
    harness.sim.faults.configure({ methods: ['GET'], paths: [/\/conversations\/\d+$/], latencyMs: 500 });
    const { conversationId } = harness.sim.customerSays({ inboxId: INBOX_ID, content: 'hello' });
    const deadline = Date.now() + 15_000;
    while (harness.sim.apiCalls({ method: 'GET' }).length === 0 && Date.now() < deadline) await sleep(5);
    harness.sim.agentAssigns(conversationId, 3);
    await harness.settle();

    expect(harness.sim.botReplies(conversationId)).toEqual([]);
    expect(harness.sim.conversation(conversationId)?.labels).toEqual([]);
    // Nothing waits in the outbox: the takeover is seen before the decision's effects are
    // committed (Chatwoot's view, or ours under the row lock), so the burst is recorded as dropped.
    const unsettled = await queryRows<{ kind: string }>(
      harness.app.core.database.db,
      sql`select kind from outbound_messages where status in ('pending', 'sending')`,
    );
    expect(unsettled).toEqual([]);
    const decisions = await queryRows<{ decision: string }>(
      harness.app.core.database.db,
      sql`select decision from reply_decisions order by id`,
    );
    expect(decisions.map((row) => row.decision)).toEqual(['dropped']);
  });
});
