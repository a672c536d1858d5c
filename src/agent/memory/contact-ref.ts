import { and, eq } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { contacts } from '../../db/schema/chatwoot.ts';

/** A contact by our row id, or by Chatwoot's own id (what an admin sees in Chatwoot). */
export type ContactRef =
  | { readonly contactId: number }
  | { readonly connection: string; readonly accountId: number; readonly chatwootContactId: number };

export interface ResolvedContact {
  readonly id: number;
  readonly connection: string;
  readonly accountId: number;
  readonly chatwootContactId: number;
  readonly name: string | null;
}

export async function resolveContact(
  deps: { readonly db: Executor },
  ref: ContactRef,
): Promise<ResolvedContact | null> {
  const columns = {
    id: contacts.id,
    connection: contacts.connection,
    accountId: contacts.accountId,
    chatwootContactId: contacts.chatwootContactId,
    name: contacts.name,
  };
  const rows =
    'contactId' in ref
      ? await deps.db.select(columns).from(contacts).where(eq(contacts.id, ref.contactId)).limit(1)
      : await deps.db
          .select(columns)
          .from(contacts)
          .where(
            and(
              eq(contacts.connection, ref.connection),
              eq(contacts.accountId, ref.accountId),
              eq(contacts.chatwootContactId, ref.chatwootContactId),
            ),
          )
          .limit(1);
  return rows[0] ?? null;
}
