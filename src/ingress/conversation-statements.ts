import { sql } from 'drizzle-orm';

import type { Executor } from '../db/database.ts';
import { queryPreparedRows } from '../db/query-rows.ts';
import type { Owner } from '../ownership/decide-ownership.ts';

/**
 * The ingress statements are set-based: each takes the rows of a whole batch of deliveries as one
 * JSON parameter, so a batch costs the same few round trips (and one plan each) whatever its size.
 * Rows are written in key order so that concurrent batches take their row locks in the same order.
 */

export interface ConversationKey {
  readonly connection: string;
  readonly accountId: number;
  readonly chatwootConversationId: number;
}

export const conversationKeyOf = (key: ConversationKey): string =>
  `${key.connection}\u0000${key.accountId}\u0000${key.chatwootConversationId}`;

/** The contact a conversation row points at, as stored. */
export interface StoredContact {
  readonly id: number;
  readonly chatwootContactId: number;
  readonly name: string | null;
  readonly email: string | null;
  readonly phoneNumber: string | null;
  readonly identifier: string | null;
}

export interface LockedConversation {
  readonly id: number;
  /** Null for a conversation this batch created, and for one without a contact. */
  readonly contact: StoredContact | null;
  readonly owner: Owner;
  readonly ownerReason: string;
  readonly episode: number;
  readonly labels: string[];
  readonly chatwootUpdatedAt: Date | null;
  readonly firstUnansweredAt: Date | null;
  /**
   * A hash of everything above that an ingress decision reads (DECISION_INPUTS): a write decided
   * on an unlocked read checks it under the lock (writeDeliveryEffects' guard). Null for a
   * conversation this batch created.
   */
  readonly fingerprint: string | null;
}

interface ConversationRowRaw {
  id: number | string;
  contact_row_id?: number | string | null;
  contact_chatwoot_id?: number | null;
  contact_name?: string | null;
  contact_email?: string | null;
  contact_phone_number?: string | null;
  contact_identifier?: string | null;
  connection: string;
  account_id: number;
  chatwoot_conversation_id: number;
  owner: Owner;
  owner_reason: string;
  episode: number;
  labels: string[];
  chatwoot_updated_at: Date | string | null;
  first_unanswered_at: Date | string | null;
  fingerprint?: string | null;
}

const toDate = (value: Date | string | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

const RETURNED_COLUMNS = sql.raw(
  'c.id, c.connection, c.account_id, c.chatwoot_conversation_id, c.owner, c.owner_reason, c.episode, c.labels, c.chatwoot_updated_at, c.first_unanswered_at',
);

/**
 * What an ingress decision reads from a conversation (`c`) and its contact (`ct`), as one hash:
 * equal hashes mean the same decision. Exact database values (no round trip through JS dates).
 */
export const DECISION_INPUTS = sql.raw(
  'md5(row(c.owner, c.owner_reason, c.episode, c.labels, c.chatwoot_updated_at, c.first_unanswered_at, c.contact_id, ct.chatwoot_contact_id, ct.name, ct.email, ct.phone_number, ct.identifier)::text)',
);

function byKey(rows: readonly ConversationRowRaw[]): Map<string, LockedConversation> {
  return new Map(
    rows.map((row) => [
      conversationKeyOf({
        connection: row.connection,
        accountId: row.account_id,
        chatwootConversationId: row.chatwoot_conversation_id,
      }),
      {
        id: Number(row.id),
        contact:
          row.contact_row_id === null || row.contact_row_id === undefined
            ? null
            : {
                id: Number(row.contact_row_id),
                chatwootContactId: row.contact_chatwoot_id!,
                name: row.contact_name ?? null,
                email: row.contact_email ?? null,
                phoneNumber: row.contact_phone_number ?? null,
                identifier: row.contact_identifier ?? null,
              },
        owner: row.owner,
        ownerReason: row.owner_reason,
        episode: row.episode,
        labels: row.labels,
        chatwootUpdatedAt: toDate(row.chatwoot_updated_at),
        firstUnansweredAt: toDate(row.first_unanswered_at),
        fingerprint: row.fingerprint ?? null,
      },
    ]),
  );
}

const keysJson = (keys: readonly ConversationKey[]) =>
  JSON.stringify(
    keys.map((key) => ({
      connection: key.connection,
      account_id: key.accountId,
      chatwoot_conversation_id: key.chatwootConversationId,
    })),
  );

/**
 * Locks the known conversations FOR UPDATE (in id order), so events of one conversation apply one
 * at a time across batches and processes. Conversations we have never seen are absent from the map.
 * Each comes with its contact as stored, so a batch writes only contacts that are new or changed.
 */
export async function lockConversations(
  tx: Executor,
  keys: readonly ConversationKey[],
): Promise<Map<string, LockedConversation>> {
  if (keys.length === 0) return new Map();
  // The ids first, sorted; the nested loop then locks each row by its own lookup as it walks them
  // (a lateral subquery is only ever joined by a nested loop), which keeps the id order.
  const rows = await queryPreparedRows<ConversationRowRaw>(
    tx,
    'ingress_lock_conversations',
    sql`select ${LOOKED_UP_COLUMNS}
      from (select found.id from ${keysTable(keys)}
            cross join lateral (select c.id from conversations c where ${MATCHES_KEY} offset 0) found
            order by found.id) ids
      cross join lateral (select * from conversations c where c.id = ids.id offset 0 for update) c
      ${CONTACT_JOIN}`,
  );
  return byKey(rows);
}

/**
 * The same rows without a lock or a transaction, each with the fingerprint of its decision inputs:
 * the optimistic path decides on them and its write checks the fingerprints under the lock.
 */
export async function readConversations(
  db: Executor,
  keys: readonly ConversationKey[],
): Promise<Map<string, LockedConversation>> {
  if (keys.length === 0) return new Map();
  const rows = await queryPreparedRows<ConversationRowRaw>(
    db,
    'ingress_read_conversations',
    sql`select ${LOOKED_UP_COLUMNS}
      from ${keysTable(keys)}
      cross join lateral (select * from conversations c where ${MATCHES_KEY} offset 0) c
      ${CONTACT_JOIN}`,
  );
  return byKey(rows);
}

/*
 * Every lookup in these statements is a lateral subquery on an indexed key, fenced by OFFSET 0 so
 * that the planner cannot flatten it into a join it may hash. A batch holds a few conversations,
 * but the planner sizes a JSON parameter at 100 rows, and the generic plan is made once per
 * connection, often while the tables are still small: it chose a hash join over a sequential scan
 * of conversations and of contacts, for every batch, for as long as the connection lived (all
 * 2,000 conversations read to find 15 in the ingress benchmark; a deployment's whole table).
 */
const keysTable = (keys: readonly ConversationKey[]) =>
  sql`json_to_recordset(${keysJson(keys)}::json) as k(connection text, account_id integer, chatwoot_conversation_id integer)`;

const MATCHES_KEY = sql.raw(
  'c.connection = k.connection and c.account_id = k.account_id and c.chatwoot_conversation_id = k.chatwoot_conversation_id',
);

const CONTACT_COLUMNS = sql.raw(
  'ct.id as contact_row_id, ct.chatwoot_contact_id as contact_chatwoot_id, ct.name as contact_name, ct.email as contact_email, ct.phone_number as contact_phone_number, ct.identifier as contact_identifier',
);

/** What both lookups return: the conversation (`c`), its contact (`ct`), its decision inputs' fingerprint. */
const LOOKED_UP_COLUMNS = sql`${RETURNED_COLUMNS}, ${CONTACT_COLUMNS}, ${DECISION_INPUTS} as fingerprint`;

/** The conversation's (`c`) contact as `ct`, all nulls without one, looked up by its primary key. */
export const CONTACT_JOIN = sql.raw(
  'left join lateral (select * from contacts ct where ct.id = c.contact_id offset 0) ct on true',
);

/** What a webhook says about its conversation's state in Chatwoot. */
export interface ConversationSnapshot {
  readonly status: string;
  readonly assigneeType: string | null;
  readonly assigneeId: number | null;
  readonly teamId: number | null;
  readonly labels: readonly string[];
  readonly chatwootUpdatedAt: Date | null;
}

export interface NewConversation extends ConversationSnapshot {
  readonly key: ConversationKey;
  readonly inboxId: number;
  readonly contactId: number | null;
  readonly owner: Owner;
  readonly ownerReason: string;
  readonly episode: number;
}

/**
 * Inserts conversations; the map holds the ones this statement created. A conversation a
 * concurrent transaction created first is missing from it, and the caller locks it instead.
 */
export async function insertConversations(
  tx: Executor,
  rows: readonly NewConversation[],
): Promise<Map<string, LockedConversation>> {
  if (rows.length === 0) return new Map();
  const json = JSON.stringify(
    rows.map((row) => ({
      connection: row.key.connection,
      account_id: row.key.accountId,
      chatwoot_conversation_id: row.key.chatwootConversationId,
      inbox_id: row.inboxId,
      contact_id: row.contactId,
      status: row.status,
      assignee_type: row.assigneeType,
      assignee_id: row.assigneeId,
      team_id: row.teamId,
      labels: row.labels,
      chatwoot_updated_at: row.chatwootUpdatedAt?.toISOString() ?? null,
      owner: row.owner,
      owner_reason: row.ownerReason,
      episode: row.episode,
    })),
  );
  const created = await queryPreparedRows<ConversationRowRaw>(
    tx,
    'ingress_insert_conversations',
    sql`insert into conversations as c (connection, account_id, chatwoot_conversation_id, inbox_id, contact_id, status, assignee_type,
                                        assignee_id, team_id, labels, chatwoot_updated_at, owner, owner_reason, episode)
      select connection, account_id, chatwoot_conversation_id, inbox_id, contact_id, status, assignee_type,
             assignee_id, team_id, labels, chatwoot_updated_at, owner, owner_reason, episode
      from json_to_recordset(${json}::json) as x(connection text, account_id integer, chatwoot_conversation_id integer, inbox_id integer,
             contact_id bigint, status text, assignee_type text, assignee_id integer, team_id integer, labels jsonb,
             chatwoot_updated_at timestamptz, owner text, owner_reason text, episode integer)
      order by connection, account_id, chatwoot_conversation_id
      on conflict do nothing
      returning ${RETURNED_COLUMNS}`,
  );
  return byKey(created);
}
