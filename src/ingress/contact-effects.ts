import { contactKeyOf, type ContactRow } from './contact-statements.ts';
import { conversationKeyOf, type LockedConversation, type StoredContact } from './conversation-statements.ts';
import type { Planned } from './record-webhook-delivery.ts';

/** The contact rows a batch writes, and the contact row ids its conversations point at. */
/** One row per contact; when two conversations of a batch carry the same contact, later non-null values win. */
export function contactRowsOf(tracked: readonly Planned[]): ContactRow[] {
  const rows = new Map<string, ContactRow>();
  for (const planned of tracked) {
    const contact = planned.facts.contact;
    if (!contact) continue;
    const row: ContactRow = {
      connection: planned.key!.connection,
      accountId: planned.key!.accountId,
      chatwootContactId: contact.id,
      name: contact.name ?? null,
      email: contact.email ?? null,
      phoneNumber: contact.phone_number ?? null,
      identifier: contact.identifier ?? null,
    };
    const key = contactKeyOf(row);
    const earlier = rows.get(key);
    rows.set(
      key,
      earlier
        ? {
            ...row,
            name: row.name ?? earlier.name,
            email: row.email ?? earlier.email,
            phoneNumber: row.phoneNumber ?? earlier.phoneNumber,
            identifier: row.identifier ?? earlier.identifier,
          }
        : row,
    );
  }
  return [...rows.values()];
}

/** The stored contact of a known conversation, when it is the contact the webhook names. */
function storedContactOf(
  planned: Planned,
  known: ReadonlyMap<string, LockedConversation>,
): StoredContact | null {
  const contact = planned.facts.contact;
  const stored = known.get(conversationKeyOf(planned.key!))?.contact ?? null;
  return contact && stored?.chatwootContactId === contact.id ? stored : null;
}

export function storedContactIds(
  tracked: readonly Planned[],
  known: ReadonlyMap<string, LockedConversation>,
): Map<string, number> {
  const ids = new Map<string, number>();
  for (const planned of tracked) {
    const stored = storedContactOf(planned, known);
    if (stored)
      ids.set(contactKeyOf({ ...planned.key!, chatwootContactId: stored.chatwootContactId }), stored.id);
  }
  return ids;
}

/**
 * Whether the webhook's contact must be written: it is new to us (or to this conversation), or it
 * brings a detail that differs from the stored one (an absent detail keeps the stored one).
 */
export function contactNeedsWrite(planned: Planned, known: ReadonlyMap<string, LockedConversation>): boolean {
  const contact = planned.facts.contact;
  if (!contact) return false;
  const stored = storedContactOf(planned, known);
  if (!stored) return true;
  const differs = (incoming: string | null | undefined, current: string | null) =>
    incoming !== null && incoming !== undefined && incoming !== current;
  return (
    differs(contact.name, stored.name) ||
    differs(contact.email, stored.email) ||
    differs(contact.phone_number, stored.phoneNumber) ||
    differs(contact.identifier, stored.identifier)
  );
}

export function contactIdOf(planned: Planned, contactIds: ReadonlyMap<string, number>): number | null {
  const contact = planned.facts.contact;
  if (!contact) return null;
  return (
    contactIds.get(
      contactKeyOf({
        connection: planned.key!.connection,
        accountId: planned.key!.accountId,
        chatwootContactId: contact.id,
      }),
    ) ?? null
  );
}
