import { sql } from 'drizzle-orm';

import { classifyWebhookEvent } from '../../src/chatwoot/classify-webhook-event.ts';
import { parseWebhookEvent } from '../../src/chatwoot/parse-webhook-event.ts';
import type { Database, Executor } from '../../src/db/database.ts';
import {
  planDelivery,
  type Planned,
  type RecordDeliveryDeps,
  type ReplyTiming,
} from '../../src/ingress/record-webhook-delivery.ts';
import { loadFixture } from './signed-delivery.ts';

/** Empties what ingress writes (and the queued jobs), so each test starts from no conversations. */
export async function clearIngressTables(db: Executor): Promise<void> {
  await db.execute(
    sql`truncate webhook_deliveries, transcript_messages, ownership_transitions, conversations, contacts restart identity cascade`,
  );
  await db.execute(sql`delete from pgboss.job`);
}

/** What ingress's batch writer needs, with one debounce window for every inbox. */
export function ingressDeps(
  db: Database,
  queue: RecordDeliveryDeps['queue'],
  timing: ReplyTiming,
  now: () => Date = () => new Date(),
): RecordDeliveryDeps {
  return { db, queue, now, replyTiming: () => Promise.resolve(timing) };
}

/** A signed delivery of `body` on the default connection, planned as the webhook route plans it (at `now`). */
export function plannedDelivery(
  body: Record<string, unknown>,
  deliveryId: string,
  now: Date = new Date(),
): Planned {
  const parsed = parseWebhookEvent(body);
  return planDelivery(
    {
      connection: 'default',
      deliveryId,
      signed: true,
      rawBody: Buffer.from(JSON.stringify(body)),
      parsed,
      classification: classifyWebhookEvent(parsed),
    },
    now,
  );
}

/** A customer's message_created webhook body: message `messageId` in Chatwoot conversation `conversationId`, from `sender`. */
export function customerMessage(messageId: number, conversationId: number, sender: Record<string, unknown>) {
  const body = loadFixture('message_created.incoming');
  body.id = messageId;
  body.conversation.id = conversationId;
  body.conversation.messages[0].id = messageId;
  body.conversation.meta.sender = { ...body.conversation.meta.sender, ...sender };
  return body;
}
