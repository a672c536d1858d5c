import { Writable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createChatwootClient } from '../../src/chatwoot/client/create-chatwoot-client.ts';
import { createChatwootRateLimiter } from '../../src/chatwoot/client/create-chatwoot-rate-limiter.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createConversationRepository } from '../../src/db/repositories/conversation-repository.ts';
import { createOutboxRepository } from '../../src/db/repositories/outbox-repository.ts';
import { conversations } from '../../src/db/schema/index.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { createChatwootPort } from '../../src/pipeline/create-chatwoot-port.ts';
import { commitDecision } from '../../src/pipeline/commit-decision.ts';
import { deliverOutbox } from '../../src/pipeline/deliver-outbox.ts';
import { DEFAULT_INBOX_POLICY } from '../../src/pipeline/inbox-policy.ts';
import { DEFAULT_PIPELINE_TIMINGS } from '../../src/pipeline/pipeline-deps.ts';
import {
  createChatwootSimulator,
  type ChatwootSimulator,
} from '../../src/simulator/create-chatwoot-simulator.ts';
import { createTestDatabase } from '../setup/test-database.ts';

/**
 * Regression (found by reply-pipeline-property.test.ts): the Chatwoot client retries a post that
 * got a 429 or 500 after a backoff, and the ownership checks ran once, before the first attempt.
 * A human who resolved the conversation (or replied) during the backoff was talked over by the
 * retry. Each retry now re-checks.
 */
describe('a reply retried after a 429', () => {
  let handle: DatabaseHandle;
  let sim: ChatwootSimulator;
  let baseUrl: string;
  beforeAll(async () => {
    handle = await createTestDatabase();
    sim = createChatwootSimulator({ seed: 5 });
    ({ baseUrl } = await sim.start());
  });
  afterAll(async () => {
    await sim.stop();
    await handle.close();
  });

  const silent = createLogger({
    level: 'silent',
    destination: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
  });

  /** A conversation the bot owns, in the simulator and in our database, with a reply in the outbox. */
  async function replyWaiting(content: string) {
    const { conversationId } = sim.customerSays({
      inboxId: 3,
      content: 'Where is my order?',
      newConversation: true,
    });
    const [row] = await handle.db
      .insert(conversations)
      .values({
        connection: 'default',
        accountId: 1,
        chatwootConversationId: conversationId,
        inboxId: 3,
        status: 'pending',
        owner: 'bot',
        episode: 1,
      })
      .returning();
    await commitDecision(
      { db: handle.db, now: () => new Date() },
      {
        conversation: row!,
        decision: { kind: 'reply', messages: [content], reason: 'test' },
        answeredMessageIds: [1],
        policy: DEFAULT_INBOX_POLICY,
        claim: null,
      },
    );
    return { chatwootId: conversationId, rowId: row!.id };
  }

  /** Delivers the outbox with a real client; `duringBackoff` runs in the client's first backoff. */
  async function deliver(rowId: number, duringBackoff: () => unknown) {
    let backoffs = 0;
    const client = createChatwootClient(
      {
        logger: silent,
        limiter: createChatwootRateLimiter({ perMinute: 60_000, burst: 1_000, maxWaitMs: 1_000 }),
        policy: { initialDelayMs: 10, maxDelayMs: 40, maxRetries: 3 },
        sleep: async () => {
          backoffs += 1;
          if (backoffs === 1) await duringBackoff();
        },
      },
      {
        name: 'default',
        baseUrl,
        apiToken: sim.world().agentBots[0]!.accessToken,
        allowUnsigned: false,
      },
    );
    const conversation = (await createConversationRepository(handle.db).findById(rowId))!;
    await deliverOutbox(
      {
        db: handle.db,
        chatwoot: () => createChatwootPort(client),
        logger: silent,
        now: () => new Date(),
        timings: DEFAULT_PIPELINE_TIMINGS,
      },
      conversation,
    );
    return backoffs;
  }

  const botMessages = (chatwootId: number) =>
    sim.messages(chatwootId).filter((message) => message.senderType === 'agent_bot');

  it('is posted when nothing changed during the backoff', async () => {
    const { chatwootId, rowId } = await replyWaiting('Your order ships today.');
    sim.faults.failNext(1, 429, { methods: ['POST'], paths: ['/messages'] });
    expect(await deliver(rowId, () => undefined)).toBe(1);
    expect(botMessages(chatwootId).map((message) => message.content)).toEqual(['Your order ships today.']);
  });

  it('is dropped when a human resolved the conversation during the backoff', async () => {
    const { chatwootId, rowId } = await replyWaiting('Your order ships tomorrow.');
    sim.faults.failNext(1, 429, { methods: ['POST'], paths: ['/messages'] });
    expect(await deliver(rowId, () => sim.agentSetsStatus(chatwootId, 'resolved'))).toBe(1);
    expect(botMessages(chatwootId)).toEqual([]);
    const [row] = await createOutboxRepository(handle.db).listByConversation(rowId);
    expect(row?.status).toBe('cancelled');
  });

  it('is dropped when a human reply was recorded in our database during the backoff', async () => {
    const { chatwootId, rowId } = await replyWaiting('Your order is on its way.');
    sim.faults.failNext(1, 500, { methods: ['POST'], paths: ['/messages'] });
    const conversationsRepo = createConversationRepository(handle.db);
    await deliver(rowId, () =>
      conversationsRepo.update(rowId, { owner: 'human', ownerReason: 'human_reply' }),
    );
    expect(botMessages(chatwootId)).toEqual([]);
  });
});
