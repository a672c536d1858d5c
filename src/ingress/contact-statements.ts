import { sql } from 'drizzle-orm';

import type { Executor } from '../db/database.ts';
import { queryPreparedRows } from '../db/query-rows.ts';

/**
 * The ingress statements are set-based: each takes the rows of a whole batch of deliveries as one
 * JSON parameter, so a batch costs the same few round trips (and one plan each) whatever its size.
 * Rows are written in key order so that concurrent batches take their row locks in the same order.
 */

export interface ContactRow {
  readonly connection: string;
  readonly accountId: number;
  readonly chatwootContactId: number;
  readonly name: string | null;
  readonly email: string | null;
  readonly phoneNumber: string | null;
  readonly identifier: string | null;
}

export const contactKeyOf = (
  row: Pick<ContactRow, 'connection' | 'accountId' | 'chatwootContactId'>,
): string => `${row.connection}\u0000${row.accountId}\u0000${row.chatwootContactId}`;

/** Inserts or refreshes the contacts (one row per key); returns their row ids by contact key. */
export async function upsertContacts(
  tx: Executor,
  rows: readonly ContactRow[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (rows.length === 0) return ids;
  const json = JSON.stringify(
    rows.map((row) => ({
      connection: row.connection,
      account_id: row.accountId,
      chatwoot_contact_id: row.chatwootContactId,
      name: row.name,
      email: row.email,
      phone_number: row.phoneNumber,
      identifier: row.identifier,
    })),
  );
  const result = await queryPreparedRows<{
    id: number | string;
    connection: string;
    account_id: number;
    chatwoot_contact_id: number;
  }>(
    tx,
    'ingress_upsert_contacts',
    sql`insert into contacts (connection, account_id, chatwoot_contact_id, name, email, phone_number, identifier)
      select connection, account_id, chatwoot_contact_id, name, email, phone_number, identifier
      from json_to_recordset(${json}::json) as x(connection text, account_id integer, chatwoot_contact_id integer,
                                                  name text, email text, phone_number text, identifier text)
      order by connection, account_id, chatwoot_contact_id
      on conflict (connection, account_id, chatwoot_contact_id) do update set
        name = coalesce(excluded.name, contacts.name), email = coalesce(excluded.email, contacts.email),
        phone_number = coalesce(excluded.phone_number, contacts.phone_number),
        identifier = coalesce(excluded.identifier, contacts.identifier), updated_at = now()
      returning id, connection, account_id, chatwoot_contact_id`,
  );
  for (const row of result)
    ids.set(
      contactKeyOf({
        connection: row.connection,
        accountId: row.account_id,
        chatwootContactId: row.chatwoot_contact_id,
      }),
      Number(row.id),
    );
  return ids;
}
