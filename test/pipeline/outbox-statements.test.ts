import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { createConversationRepository } from '../../src/db/repositories/conversation-repository.ts';
import { createOutboxRepository, echoIdOf } from '../../src/db/repositories/outbox-repository.ts';
import { seedConversation } from '../agent/support/agent-test-deps.ts';
import { createTestDatabase } from '../setup/test-database.ts';

/** The combined statements the reply job relies on (one round trip each instead of several). */
describe('outbox statements', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  const decision = (conversationId: number, kind: string) => ({
    conversationId,
    episode: 1,
    decision: kind,
    reason: 'test',
    answeredMessageIds: [1, 2],
    jobId: 'job-1',
  });

  it('records a decision with its effects in order, echo ids derived from the decision', async () => {
    const conversation = await seedConversation(handle.db);
    const outbox = createOutboxRepository(handle.db);
    const effects = ['first', 'second'].map((content, sequence) => ({
      conversationId: conversation.id,
      episode: 1,
      kind: 'reply',
      content,
      isPrivate: false,
      sequence,
    }));
    const { decisionId, rows } = await outbox.recordDecisionWithEffects(
      decision(conversation.id, 'replied'),
      effects,
    );
    const stored = await outbox.listByConversation(conversation.id);
    expect(stored.map((row) => [row.content, row.sequence, row.echoId, row.decisionId])).toEqual([
      ['first', 0, echoIdOf(decisionId, 0), decisionId],
      ['second', 1, echoIdOf(decisionId, 1), decisionId],
    ]);
    // What the job delivers without reading the outbox again is what was stored.
    expect(rows).toEqual(stored);
    const [recorded] = await outbox.listDecisions(conversation.id);
    expect(recorded).toMatchObject({ id: decisionId, answeredMessageIds: [1, 2], actions: [] });
  });

  it('marks a row sending only while it is unsettled (a takeover that cancelled it wins)', async () => {
    const conversation = await seedConversation(handle.db);
    const outbox = createOutboxRepository(handle.db);
    const { rows } = await outbox.recordDecisionWithEffects(decision(conversation.id, 'replied'), [
      {
        conversationId: conversation.id,
        episode: 1,
        kind: 'reply',
        content: 'hi',
        isPrivate: false,
        sequence: 0,
      },
    ]);
    expect(await outbox.cancelUnsentReplies(conversation.id, 'owner_human')).toBe(1);
    expect(await outbox.markSending(rows[0]!.id, new Date())).toBe(false);
    const [row] = await outbox.listByConversation(conversation.id);
    expect(row).toMatchObject({ status: 'cancelled', attempts: 0 });
  });

  it('lists unsettled rows with whether their decision was a handoff', async () => {
    const conversation = await seedConversation(handle.db);
    const outbox = createOutboxRepository(handle.db);
    const effect = (kind: string, sequence: number) => ({
      conversationId: conversation.id,
      episode: 1,
      kind,
      content: '["vip"]',
      isPrivate: kind === 'handoff_note',
      sequence,
    });
    const handoff = await outbox.recordDecisionWithEffects(decision(conversation.id, 'handed_off'), [
      effect('handoff_note', 0),
      effect('labels', 1),
    ]);
    await outbox.markSent(handoff.rows[0]!.id, 99, new Date());
    const reply = await outbox.recordDecisionWithEffects(decision(conversation.id, 'replied'), [
      effect('labels', 0),
    ]);
    const listed = await outbox.listUnsettledForDelivery(conversation.id);
    expect(listed.map(({ row, ofHandoff }) => [row.id, ofHandoff])).toEqual([
      [handoff.rows[1]!.id, true],
      [reply.rows[0]!.id, false],
    ]);
  });

  it('claims with whether the outbox has unsettled rows', async () => {
    const conversation = await seedConversation(handle.db);
    const conversations = createConversationRepository(handle.db);
    expect((await conversations.lockForClaim(conversation.id))?.hasUnsettledOutbox).toBe(false);
    const { rows } = await createOutboxRepository(handle.db).recordDecisionWithEffects(
      decision(conversation.id, 'replied'),
      [
        {
          conversationId: conversation.id,
          episode: 1,
          kind: 'reply',
          content: 'x',
          isPrivate: false,
          sequence: 0,
        },
      ],
    );
    const claimed = await conversations.lockForClaim(conversation.id);
    expect(claimed?.hasUnsettledOutbox).toBe(true);
    expect(claimed?.conversation.id).toBe(conversation.id);
    await createOutboxRepository(handle.db).markSent(rows[0]!.id, 5, new Date());
    expect((await conversations.lockForClaim(conversation.id))?.hasUnsettledOutbox).toBe(false);
    expect(await conversations.lockForClaim(999_999)).toBeNull();
  });
});
