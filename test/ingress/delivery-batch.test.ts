import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/query-rows.ts';
import { conversationKeyOf, readConversations } from '../../src/ingress/conversation-statements.ts';
import { recordDeliveryBatch } from '../../src/ingress/record-delivery-batch.ts';
import type { RecordDeliveryDeps } from '../../src/ingress/record-webhook-delivery.ts';
import { writeDeliveryEffects } from '../../src/ingress/write-delivery-effects.ts';
import { buildTestService, TEST_SECRET, type TestService } from '../setup/build-test-service.ts';
import {
  clearIngressTables,
  customerMessage,
  ingressDeps,
  plannedDelivery,
} from '../setup/ingress-test-helpers.ts';
import { loadFixture, signedRequest } from '../setup/signed-delivery.ts';

describe('one ingress transaction for a batch of deliveries', () => {
  let service: TestService;
  let deps: RecordDeliveryDeps;
  beforeAll(async () => {
    service = await buildTestService();
    deps = ingressDeps(service.core.database.db, service.core.queue, {
      debounceMs: 2_000,
      maxWaitMs: 10_000,
    });
  });
  afterAll(async () => {
    await service.close();
  });
  beforeEach(async () => {
    await clearIngressTables(service.core.database.db);
  });

  const db = () => service.core.database.db;

  it('records each delivery of a mixed batch exactly as it would alone', async () => {
    // Already recorded before the batch: its redelivery in the batch is a duplicate.
    const earlier = customerMessage(7001, 301, { id: 900 });
    await service.service.app.inject({
      method: 'POST',
      url: '/webhooks/chatwoot',
      ...signedRequest(earlier, { secret: TEST_SECRET }),
    });

    const results = await recordDeliveryBatch(deps, [
      plannedDelivery(
        customerMessage(7101, 311, { id: 42, name: 'Maria Lopez', email: 'maria@example.com' }),
        'b-1',
      ),
      // The same contact writes in another conversation, without a name this time: kept from before.
      plannedDelivery(
        customerMessage(7102, 312, { id: 42, name: null, email: null, phone_number: '+34 600 000 000' }),
        'b-2',
      ),
      plannedDelivery(earlier, 'b-3-redelivered'),
      plannedDelivery(loadFixture('webwidget_triggered'), 'b-4'),
    ]);

    expect(results.map((result) => (result.status === 'accepted' ? result.outcome : result.status))).toEqual([
      'reply_scheduled',
      'reply_scheduled',
      'duplicate',
      'ignored',
    ]);
    const [counts] = await queryRows<Record<string, number>>(
      db(),
      sql`select (select count(*)::int from webhook_deliveries) as deliveries,
                 (select count(*)::int from conversations) as conversations,
                 (select count(*)::int from contacts) as contacts,
                 (select count(*)::int from transcript_messages) as messages,
                 (select count(*)::int from conversations where reply_due_at is not null) as replies`,
    );
    expect(counts).toEqual({ deliveries: 4, conversations: 3, contacts: 2, messages: 3, replies: 3 });
    const [maria] = await queryRows<{ name: string; email: string; phone_number: string }>(
      db(),
      sql`select name, email, phone_number from contacts where chatwoot_contact_id = 42`,
    );
    expect(maria).toEqual({
      name: 'Maria Lopez',
      email: 'maria@example.com',
      phone_number: '+34 600 000 000',
    });
    const conversations = await queryRows<{
      chatwoot_conversation_id: number;
      contact_id: string;
      owner: string;
    }>(
      db(),
      sql`select c.chatwoot_conversation_id, ct.chatwoot_contact_id::text as contact_id, c.owner
          from conversations c join contacts ct on ct.id = c.contact_id order by 1`,
    );
    expect(conversations).toEqual([
      { chatwoot_conversation_id: 301, contact_id: '900', owner: 'bot' },
      { chatwoot_conversation_id: 311, contact_id: '42', owner: 'bot' },
      { chatwoot_conversation_id: 312, contact_id: '42', owner: 'bot' },
    ]);
  });

  it('writes many concurrent deliveries through the endpoint, every one exactly once', async () => {
    // 40 messages over 10 conversations, all at once: they share transactions, and the messages of
    // one conversation are applied one after the other.
    const requests = Array.from({ length: 40 }, (_, index) =>
      signedRequest(customerMessage(8000 + index, 400 + (index % 10), { id: 600 + (index % 10) }), {
        secret: TEST_SECRET,
      }),
    );
    const responses = await Promise.all(
      requests.map((request) =>
        service.service.app.inject({ method: 'POST', url: '/webhooks/chatwoot', ...request }),
      ),
    );
    expect(responses.map((response) => response.json())).toEqual(
      Array(40).fill({ status: 'accepted', outcome: 'reply_scheduled' }),
    );
    const [counts] = await queryRows<Record<string, number>>(
      db(),
      sql`select (select count(*)::int from webhook_deliveries) as deliveries,
                 (select count(*)::int from conversations) as conversations,
                 (select count(*)::int from transcript_messages) as messages,
                 (select count(*)::int from conversations where reply_due_at is not null) as replies`,
    );
    expect(counts).toEqual({ deliveries: 40, conversations: 10, messages: 40, replies: 10 });
  });
  it('writes a contact only when it is new to the conversation or brings a changed detail', async () => {
    const contactRow = async (chatwootContactId: number) =>
      (
        await queryRows<{ version: string; name: string | null; email: string | null }>(
          db(),
          sql`select xmin::text as version, name, email from contacts where chatwoot_contact_id = ${chatwootContactId}`,
        )
      )[0];
    const linkedContact = async () =>
      (
        await queryRows<{ chatwoot_contact_id: number }>(
          db(),
          sql`select ct.chatwoot_contact_id from conversations c join contacts ct on ct.id = c.contact_id
              where c.chatwoot_conversation_id = 501`,
        )
      )[0]?.chatwoot_contact_id;

    await recordDeliveryBatch(deps, [
      plannedDelivery(customerMessage(9001, 501, { id: 77, name: 'Ana', email: 'ana@example.com' }), 'c-1'),
    ]);
    const created = await contactRow(77);

    // The same details again: the row is not rewritten (same row version).
    await recordDeliveryBatch(deps, [
      plannedDelivery(customerMessage(9002, 501, { id: 77, name: 'Ana', email: 'ana@example.com' }), 'c-2'),
    ]);
    expect(await contactRow(77)).toEqual(created);

    // A changed email is written; the omitted name is kept.
    await recordDeliveryBatch(deps, [
      plannedDelivery(
        customerMessage(9003, 501, { id: 77, name: null, email: 'ana@new.example.com' }),
        'c-3',
      ),
    ]);
    const changed = await contactRow(77);
    expect(changed?.version).not.toBe(created?.version);
    expect(changed).toMatchObject({ name: 'Ana', email: 'ana@new.example.com' });

    // Chatwoot now names another contact for the conversation (contacts merged): it is linked.
    await recordDeliveryBatch(deps, [
      plannedDelivery(customerMessage(9004, 501, { id: 78, name: 'Ana M.', email: null }), 'c-4'),
    ]);
    expect(await linkedContact()).toBe(78);
    expect(await contactRow(78)).toMatchObject({ name: 'Ana M.' });
  });

  it('writes a known conversation decided on an unlocked read only if its decision inputs did not change', async () => {
    await recordDeliveryBatch(deps, [plannedDelivery(customerMessage(9501, 601, { id: 81 }), 'g-1')]);
    const key = { connection: 'default', accountId: 1, chatwootConversationId: 601 };
    const read = (await readConversations(db(), [key])).get(conversationKeyOf(key))!;
    const next = plannedDelivery(customerMessage(9502, 601, { id: 81 }), 'g-2');
    const effects = {
      delivery: {
        connection: 'default',
        deliveryId: 'g-2',
        dedupeKey: next.dedupeKey,
        event: 'message_created',
        classification: 'customer_message',
        accountId: 1,
        inboxId: 1,
        chatwootConversationId: 601,
        messageId: 9502,
        signed: true,
        outcome: 'reply_scheduled',
        payload: Buffer.from('{}'),
        receivedAt: new Date(),
      },
      conversation: {
        id: read.id,
        snapshot: null,
        contactId: null,
        owner: 'bot' as const,
        ownerReason: read.ownerReason,
        episode: read.episode,
        resetEpisode: false,
        firstUnansweredAt: null,
        replyDueAt: new Date(),
      },
      message: null,
      transition: null,
    };

    // A human took the conversation between the read and the write: nothing is written.
    await db().execute(sql`update conversations set owner = 'human' where id = ${read.id}`);
    expect(
      await writeDeliveryEffects(db(), [{ ...effects, expectedFingerprint: read.fingerprint }], {
        notifyWorkers: false,
      }),
    ).toEqual(['stale']);
    const count = async () =>
      (await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from webhook_deliveries`))[0]!.n;
    expect(await count()).toBe(1);
    const [owner] = await queryRows<{ owner: string }>(
      db(),
      sql`select owner from conversations where id = ${read.id}`,
    );
    expect(owner?.owner).toBe('human');

    // Against the conversation as it is now, the same write goes through.
    const fresh = (await readConversations(db(), [key])).get(conversationKeyOf(key))!;
    expect(fresh.fingerprint).not.toBe(read.fingerprint);
    const [written] = await writeDeliveryEffects(
      db(),
      [{ ...effects, expectedFingerprint: fresh.fingerprint }],
      {
        notifyWorkers: false,
      },
    );
    expect(typeof written).toBe('number');
    expect(await count()).toBe(2);
  });

  it('decides a delivery again under the lock when its conversation changed after the read', async () => {
    await recordDeliveryBatch(deps, [plannedDelivery(customerMessage(9601, 701, { id: 91 }), 'h-1')]);
    // Every read of conversation 701 is stale: the row changes right after it (as a reply's commit would).
    const racing: RecordDeliveryDeps = {
      ...deps,
      replyTiming: async (connection, inboxId, tx) => {
        await db().execute(
          sql`update conversations set owner = 'human' where chatwoot_conversation_id = 701`,
        );
        return deps.replyTiming(connection, inboxId, tx);
      },
    };
    const [result] = await recordDeliveryBatch(racing, [
      plannedDelivery(customerMessage(9602, 701, { id: 91 }), 'h-2'),
    ]);
    // Decided against the human-owned conversation: recorded, no reply scheduled.
    expect(result).toMatchObject({ status: 'accepted', outcome: 'recorded' });
    const [row] = await queryRows<{ owner: string; due: boolean }>(
      db(),
      sql`select owner, reply_due_at is not null as due from conversations where chatwoot_conversation_id = 701`,
    );
    expect(row).toEqual({ owner: 'human', due: false });
  });
});
