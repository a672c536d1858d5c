import { and, eq, sql } from 'drizzle-orm';

import type { Executor } from '../database.ts';
import { contacts } from '../schema/index.ts';

export interface ContactSnapshot {
  readonly connection: string;
  readonly accountId: number;
  readonly chatwootContactId: number;
  readonly name?: string | null;
  readonly email?: string | null;
  readonly phoneNumber?: string | null;
  readonly identifier?: string | null;
}

export function createContactRepository(db: Executor) {
  return {
    /** Creates or refreshes the contact from a webhook's view of it; returns our row id. */
    async upsert(snapshot: ContactSnapshot, tx: Executor = db): Promise<number> {
      const values = {
        connection: snapshot.connection,
        accountId: snapshot.accountId,
        chatwootContactId: snapshot.chatwootContactId,
        name: snapshot.name ?? null,
        email: snapshot.email ?? null,
        phoneNumber: snapshot.phoneNumber ?? null,
        identifier: snapshot.identifier ?? null,
      };
      const rows = await tx
        .insert(contacts)
        .values(values)
        .onConflictDoUpdate({
          target: [contacts.connection, contacts.accountId, contacts.chatwootContactId],
          set: {
            name: sql`coalesce(excluded.name, ${contacts.name})`,
            email: sql`coalesce(excluded.email, ${contacts.email})`,
            phoneNumber: sql`coalesce(excluded.phone_number, ${contacts.phoneNumber})`,
            identifier: sql`coalesce(excluded.identifier, ${contacts.identifier})`,
            updatedAt: sql`now()`,
          },
        })
        .returning({ id: contacts.id });
      return rows[0]!.id;
    },

    async findById(id: number, tx: Executor = db) {
      const rows = await tx.select().from(contacts).where(eq(contacts.id, id));
      return rows[0] ?? null;
    },

    async findByChatwootId(
      connection: string,
      accountId: number,
      chatwootContactId: number,
      tx: Executor = db,
    ) {
      const rows = await tx
        .select()
        .from(contacts)
        .where(
          and(
            eq(contacts.connection, connection),
            eq(contacts.accountId, accountId),
            eq(contacts.chatwootContactId, chatwootContactId),
          ),
        );
      return rows[0] ?? null;
    },
  };
}
export type ContactRepository = ReturnType<typeof createContactRepository>;
