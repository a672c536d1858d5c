import { Writable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { createConversationRepository } from '../../src/db/repositories/conversation-repository.ts';
import { createOutboxRepository } from '../../src/db/repositories/outbox-repository.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { createLogContextStore } from '../../src/logging/log-context.ts';
import type { ChatwootPort } from '../../src/pipeline/chatwoot-port.ts';
import { commitDecision } from '../../src/pipeline/commit-decision.ts';
import { deliverOutbox } from '../../src/pipeline/deliver-outbox.ts';
import { DEFAULT_INBOX_POLICY } from '../../src/pipeline/inbox-policy.ts';
import { DEFAULT_PIPELINE_TIMINGS } from '../../src/pipeline/pipeline-deps.ts';
import { seedConversation } from '../agent/support/agent-test-deps.ts';
import { createTestDatabase } from '../setup/test-database.ts';

/**
 * Regression (found by reply-pipeline-property.test.ts on the real server): before a reply is
 * posted, ownership was checked in our database and then in Chatwoot. Reading Chatwoot can take
 * long (429s are retried with backoff); a human reply that lands meanwhile changes nothing
 * Chatwoot's conversation shows, so the bot posted after the human. Our own state is read last.
 */
describe('the ownership re-check before a post', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('sees a human reply recorded while Chatwoot was being read, and posts nothing', async () => {
    const seeded = await seedConversation(handle.db);
    const conversations = createConversationRepository(handle.db);
    const outbox = createOutboxRepository(handle.db);
    await commitDecision(
      { db: handle.db, now: () => new Date() },
      {
        conversation: (await conversations.findById(seeded.id))!,
        decision: { kind: 'reply', messages: ['Your order ships today.'], reason: 'test' },
        answeredMessageIds: [1],
        policy: DEFAULT_INBOX_POLICY,
        claim: null,
      },
    );
    const posted: string[] = [];
    const unused = () => Promise.reject(new Error('not expected in this test'));
    const port: ChatwootPort = {
      // The human's reply is ingested while Chatwoot answers the read; Chatwoot still says pending.
      readConversation: async () => {
        await conversations.update(seeded.id, { owner: 'human', ownerReason: 'human_reply' });
        return { status: 'pending', assigneeType: null };
      },
      postMessage: (_target, message) => {
        posted.push(message.content);
        return Promise.resolve({ id: 1 });
      },
      setTyping: () => Promise.resolve(),
      openConversation: unused,
      addLabels: unused,
      setPriority: unused,
      assignTeam: unused,
      listRecentBotMessages: () => Promise.resolve(null),
    };
    const conversation = (await conversations.findById(seeded.id))!;
    const logger = createLogger({
      level: 'silent',
      context: createLogContextStore(),
      destination: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    });

    await deliverOutbox(
      {
        db: handle.db,
        chatwoot: () => port,
        logger,
        now: () => new Date(),
        timings: DEFAULT_PIPELINE_TIMINGS,
      },
      conversation,
    );

    expect(posted).toEqual([]);
    const [row] = await outbox.listByConversation(seeded.id);
    expect(row?.status).toBe('cancelled');
  });
});
