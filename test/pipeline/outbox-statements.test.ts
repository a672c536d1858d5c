import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { createConversationRepository } from '../../src/db/repositories/conversation-repository.ts';
import { createOutboxRepository, echoIdOf } from '../../src/db/repositories/outbox-repository.ts';
import { createTranscriptRepository } from '../../src/db/repositories/transcript-repository.ts';
import { createReplyQueue } from '../../src/jobs/create-reply-queue.ts';
import { commitDecision } from '../../src/pipeline/commit-decision.ts';
import { DEFAULT_INBOX_POLICY } from '../../src/pipeline/inbox-policy.ts';
import type { ResponderDecision } from '../../src/pipeline/responder.ts';
import { seedConversation } from '../agent/support/agent-test-deps.ts';
import { createTestDatabase } from '../setup/test-database.ts';

/**
 * The reply job's statements: the claim and the commit (server-side functions, one round trip
 * each) and the outbox updates around a post.
 */
describe('reply job statements', () => {
  let handle: DatabaseHandle;
  const now = () => new Date();
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  async function seed(input: { episode?: number } = {}) {
    const seeded = await seedConversation(handle.db, input);
    return (await createConversationRepository(handle.db).findById(seeded.id))!;
  }

  async function customerSays(conversationId: number, chatwootMessageId: number, episode = 1) {
    await createTranscriptRepository(handle.db).insert({
      conversationId,
      chatwootMessageId,
      role: 'customer',
      content: `message ${chatwootMessageId}`,
      episode,
      sentAt: new Date('2026-03-02T10:00:00Z'),
    });
  }

  const reply = (...messages: string[]): ResponderDecision => ({
    kind: 'reply',
    messages,
    reason: 'test',
    actions: [{ type: 'add_labels', labels: ['bot'] }],
  });

  async function commit(
    conversation: Awaited<ReturnType<typeof seed>>,
    decision: ResponderDecision,
    options: { answered?: number[]; postsFirstEffectNow?: boolean; droppedBecause?: string } = {},
  ) {
    return commitDecision(
      { db: handle.db, now },
      {
        conversation,
        decision,
        answeredMessageIds: options.answered ?? [1, 2],
        policy: DEFAULT_INBOX_POLICY,
        claim: null,
        postsFirstEffectNow: options.postsFirstEffectNow ?? false,
        droppedBecause: options.droppedBecause ?? null,
      },
    );
  }

  describe('the commit', () => {
    it('records the decision with its effects in order, echo ids derived from the decision', async () => {
      const conversation = await seed();
      const result = await commit(conversation, reply('first', 'second'));
      if (!result.committed) throw new Error('expected a commit');
      const outbox = createOutboxRepository(handle.db);
      const stored = await outbox.listByConversation(conversation.id);
      expect(stored.map((row) => [row.kind, row.content, row.sequence, row.echoId, row.status])).toEqual([
        ['reply', 'first', 0, echoIdOf(result.decisionId, 0), 'pending'],
        ['reply', 'second', 1, echoIdOf(result.decisionId, 1), 'pending'],
        ['labels', '["bot"]', 2, echoIdOf(result.decisionId, 2), 'pending'],
      ]);
      // What the job delivers without reading the outbox again is what was stored.
      expect(result.outbox.map(({ row }) => row)).toEqual(stored);
      const [recorded] = await outbox.listDecisions(conversation.id);
      expect(recorded).toMatchObject({
        id: result.decisionId,
        decision: 'replied',
        answeredMessageIds: [1, 2],
        actions: [{ type: 'add_labels', labels: ['bot'] }],
      });
      const after = await createConversationRepository(handle.db).findById(conversation.id);
      expect(after).toMatchObject({ lastAnsweredMessageId: 2, botTurnsInEpisode: 1, owner: 'bot' });
    });

    it('stores the first effect ready to post (sending, attempt 1) when it is posted right away', async () => {
      const conversation = await seed();
      const result = await commit(conversation, reply('hello'), { postsFirstEffectNow: true });
      if (!result.committed) throw new Error('expected a commit');
      expect(
        result.outbox.map(({ row, isReadyToPost }) => [row.status, row.attempts, isReadyToPost]),
      ).toEqual([
        ['sending', 1, true],
        ['pending', 0, undefined],
      ]);
      const stored = await createOutboxRepository(handle.db).listByConversation(conversation.id);
      expect(stored.map((row) => [row.status, row.attempts, row.lastAttemptAt !== null])).toEqual([
        ['sending', 1, true],
        ['pending', 0, false],
      ]);
    });

    it('keeps the oldest message that arrived during the run unanswered', async () => {
      const conversation = await seed();
      for (const id of [1, 2, 3, 4]) await customerSays(conversation.id, id);
      await commit(conversation, reply('answer'), { answered: [1, 2] });
      const [third] = await queryRows<{ received_at: Date }>(
        handle.db,
        sql`select received_at from transcript_messages where conversation_id = ${conversation.id} and chatwoot_message_id = 3`,
      );
      const after = await createConversationRepository(handle.db).findById(conversation.id);
      expect(after?.firstUnansweredAt?.getTime()).toBe(new Date(third!.received_at).getTime());
      await commit(after!, reply('answer'), { answered: [3, 4] });
      expect(
        (await createConversationRepository(handle.db).findById(conversation.id))?.firstUnansweredAt,
      ).toBe(null);
    });

    it('hands the conversation to humans with a transition, without counting a bot turn', async () => {
      const conversation = await seed();
      const result = await commit(conversation, {
        kind: 'handoff',
        reason: 'customer_asked_for_human',
        summary: 'Wants a refund.',
      });
      expect(result.committed).toBe(true);
      const after = await createConversationRepository(handle.db).findById(conversation.id);
      expect(after).toMatchObject({ owner: 'human', ownerReason: 'bot_handed_off', botTurnsInEpisode: 0 });
      const transitions = await queryRows<{ to_owner: string; reason: string }>(
        handle.db,
        sql`select to_owner, reason from ownership_transitions where conversation_id = ${conversation.id}`,
      );
      expect(transitions).toEqual([{ to_owner: 'human', reason: 'bot_handed_off:customer_asked_for_human' }]);
    });

    it('records a dropped decision and no effects when the bot lost the episode meanwhile', async () => {
      const conversation = await seed();
      await createConversationRepository(handle.db).update(conversation.id, {
        owner: 'human',
        ownerReason: 'human_reply',
      });
      const result = await commit(conversation, reply('too late'));
      expect(result).toEqual({ committed: false, reason: 'ownership_lost_before_post' });
      const outbox = createOutboxRepository(handle.db);
      expect(await outbox.listByConversation(conversation.id)).toEqual([]);
      expect((await outbox.listDecisions(conversation.id)).map((row) => row.decision)).toEqual(['dropped']);
      const after = await createConversationRepository(handle.db).findById(conversation.id);
      expect(after?.lastAnsweredMessageId).toBe(null);
    });

    it('records a burst Chatwoot showed taken over as answered by a dropped decision, posting nothing', async () => {
      const conversation = await seed();
      const result = await commit(conversation, reply('hello'), {
        postsFirstEffectNow: true,
        droppedBecause: 'chatwoot_status_open',
      });
      expect(result).toMatchObject({ committed: true, outbox: [] });
      const outbox = createOutboxRepository(handle.db);
      expect(await outbox.listByConversation(conversation.id)).toEqual([]);
      expect(await outbox.listDecisions(conversation.id)).toMatchObject([
        { decision: 'dropped', reason: 'chatwoot_status_open' },
      ]);
      const after = await createConversationRepository(handle.db).findById(conversation.id);
      expect(after).toMatchObject({ lastAnsweredMessageId: 2, botTurnsInEpisode: 0 });
    });
  });

  describe('the outbox around a post', () => {
    it('marks a row sending only while it is unsettled (a takeover that cancelled it wins)', async () => {
      const conversation = await seed();
      const result = await commit(conversation, reply('hi'));
      if (!result.committed) throw new Error('expected a commit');
      const outbox = createOutboxRepository(handle.db);
      expect(await outbox.cancelUnsentReplies(conversation.id, 'owner_human')).toBe(1);
      expect(await outbox.markSending(result.outbox[0]!.row.id, new Date())).toBe(false);
      const [row] = await outbox.listByConversation(conversation.id);
      expect(row).toMatchObject({ status: 'cancelled', attempts: 0 });
    });

    it('lists unsettled rows with whether their decision was a handoff', async () => {
      const conversation = await seed();
      const outbox = createOutboxRepository(handle.db);
      const handoff = await commit(conversation, {
        kind: 'handoff',
        reason: 'test',
        summary: 'summary',
        actions: [{ type: 'add_labels', labels: ['vip'] }],
      });
      if (!handoff.committed) throw new Error('expected a commit');
      await outbox.markSent(handoff.outbox[0]!.row.id, 99, new Date());
      await createConversationRepository(handle.db).update(conversation.id, {
        owner: 'bot',
        ownerReason: 'returned_to_bot',
      });
      const second = await commit(
        (await createConversationRepository(handle.db).findById(conversation.id))!,
        {
          kind: 'reply',
          messages: [],
          reason: 'labels only',
          actions: [{ type: 'add_labels', labels: ['x'] }],
        },
        { answered: [3] },
      );
      if (!second.committed) throw new Error('expected a commit');
      const listed = await outbox.listUnsettledForDelivery(conversation.id);
      expect(listed.map(({ row, ofHandoff }) => [row.kind, row.id, ofHandoff])).toEqual([
        ['open', handoff.outbox[1]!.row.id, true],
        ['labels', handoff.outbox[2]!.row.id, true],
        ['labels', second.outbox[0]!.row.id, false],
      ]);
    });
  });

  describe('the claim', () => {
    const dueNow = async (conversationId: number) => {
      await handle.db.execute(
        sql`update conversations set reply_due_at = ${new Date(Date.now() - 1).toISOString()}::timestamptz where id = ${conversationId}`,
      );
    };
    const claimOne = async (conversationId: number) => {
      await dueNow(conversationId);
      const queue = createReplyQueue({ db: handle.db, now });
      const { jobs } = await queue.fetch(100);
      const job = jobs.find((candidate) => candidate.data.conversationId === conversationId);
      if (!job) throw new Error('expected a claim');
      await queue.complete(jobs);
      return job;
    };

    it('returns the row, the episode transcript and whether the outbox has unsettled rows', async () => {
      const conversation = await seed({ episode: 2 });
      await customerSays(conversation.id, 10, 1);
      await customerSays(conversation.id, 12, 2);
      await customerSays(conversation.id, 11, 2);
      const claimed = await claimOne(conversation.id);
      // Mapped from JSON exactly as drizzle maps the driver's rows (dates, numbers, jsonb).
      const stored = (await createConversationRepository(handle.db).findById(conversation.id))!;
      expect(claimed.conversation).toEqual({
        ...stored,
        replyDueAt: claimed.conversation.replyDueAt,
        replyClaim: claimed.claim,
        replyLeaseUntil: claimed.conversation.replyLeaseUntil,
        replyAttempts: 1,
      });
      expect(claimed.conversation.replyLeaseUntil).toBeInstanceOf(Date);
      expect(claimed.episode).toEqual(
        await createTranscriptRepository(handle.db).listEpisode(conversation.id, 2),
      );
      expect(claimed.episode.map((message) => message.chatwootMessageId)).toEqual([11, 12]);
      expect(claimed.hasUnsettledOutbox).toBe(false);

      const result = await commit(claimed.conversation, reply('x'), { answered: [12] });
      if (!result.committed) throw new Error('expected a commit');
      expect((await claimOne(conversation.id)).hasUnsettledOutbox).toBe(true);
      const outbox = createOutboxRepository(handle.db);
      for (const { row } of result.outbox) await outbox.markSent(row.id, 5, new Date());
      expect((await claimOne(conversation.id)).hasUnsettledOutbox).toBe(false);
    });

    it('commits nothing for a run whose claim another run holds now', async () => {
      const conversation = await seed();
      const stale = await claimOne(conversation.id);
      await claimOne(conversation.id);
      const result = await commitDecision(
        { db: handle.db, now },
        {
          conversation: stale.conversation,
          decision: reply('late'),
          answeredMessageIds: [1],
          policy: DEFAULT_INBOX_POLICY,
          claim: stale.claim,
        },
      );
      expect(result).toEqual({ committed: false, reason: 'claim_lost' });
      expect(await createOutboxRepository(handle.db).listDecisions(conversation.id)).toEqual([]);
    });
  });
});
