import type { SeededRandom } from './create-seeded-random.ts';
import { createWorldSeeder } from './create-world-seeder.ts';
import type { SimulatorSeed } from './simulator-options.ts';
import type {
  AccountRecord,
  AgentBotRecord,
  ContactInboxRecord,
  ContactRecord,
  ConversationRecord,
  InboxRecord,
  MessageRecord,
  TeamRecord,
  TypingEvent,
  UserRecord,
} from './simulator-types.ts';

const NAME_ADJECTIVES = ['snowy', 'quiet', 'amber', 'misty', 'bold', 'gentle', 'silver', 'lively'];
const NAME_NOUNS = ['river', 'forest', 'meadow', 'harbor', 'canyon', 'breeze', 'glade', 'summit'];

export type TokenOwner = { kind: 'bot'; bot: AgentBotRecord } | { kind: 'user'; user: UserRecord };

export type NewContact = Partial<Pick<ContactRecord, 'name' | 'email' | 'phoneNumber' | 'identifier'>>;

export type NewMessage = Omit<MessageRecord, 'id' | 'createdAt' | 'updatedAt' | 'status'>;

/** All mutable simulator state with id counters and lookups; behaviour lives in the services. */
export interface SimulatorStore {
  readonly accounts: Map<number, AccountRecord>;
  readonly agentBots: Map<number, AgentBotRecord>;
  readonly inboxes: Map<number, InboxRecord>;
  readonly users: Map<number, UserRecord>;
  readonly teams: Map<number, TeamRecord>;
  readonly contacts: Map<number, ContactRecord>;
  readonly contactInboxes: Map<number, ContactInboxRecord>;
  readonly conversations: Map<string, ConversationRecord>;
  readonly messages: Map<number, MessageRecord>;
  readonly typing: TypingEvent[];
  /** Called for every stored message (activity included), right after it is stored. */
  readonly messageListeners: Set<(message: MessageRecord) => void>;
  reset(): void;
  findTokenOwner(token: string): TokenOwner | undefined;
  findConversation(accountId: number, displayId: number): ConversationRecord | undefined;
  conversationMessages(conversation: ConversationRecord): MessageRecord[];
  createContact(accountId: number, fields: NewContact): ContactRecord;
  findOrCreateContactInbox(contactId: number, inboxId: number): ContactInboxRecord;
  createConversation(
    fields: Pick<
      ConversationRecord,
      'accountId' | 'inboxId' | 'contactId' | 'contactInboxId' | 'status' | 'additionalAttributes'
    >,
  ): ConversationRecord;
  insertMessage(fields: NewMessage): MessageRecord;
}

export function conversationKey(accountId: number, displayId: number): string {
  return `${accountId}:${displayId}`;
}

export function createSimulatorStore(deps: {
  seed: SimulatorSeed;
  random: SeededRandom;
  now: () => number;
}): SimulatorStore {
  const { random, now } = deps;
  const store = {
    accounts: new Map<number, AccountRecord>(),
    agentBots: new Map<number, AgentBotRecord>(),
    inboxes: new Map<number, InboxRecord>(),
    users: new Map<number, UserRecord>(),
    teams: new Map<number, TeamRecord>(),
    contacts: new Map<number, ContactRecord>(),
    contactInboxes: new Map<number, ContactInboxRecord>(),
    conversations: new Map<string, ConversationRecord>(),
    messages: new Map<number, MessageRecord>(),
    typing: [] as TypingEvent[],
  };
  const messagesByConversation = new Map<string, MessageRecord[]>();
  const displayIdCounters = new Map<number, number>();
  let nextContactId = 1;
  let nextContactInboxId = 1;
  let nextMessageId = 1;
  const seedWorld = createWorldSeeder(random);
  const messageListeners = new Set<(message: MessageRecord) => void>();

  const reset = (): void => {
    for (const map of Object.values(store)) {
      if (map instanceof Map) map.clear();
    }
    store.typing.length = 0;
    messagesByConversation.clear();
    displayIdCounters.clear();
    nextContactId = 1;
    nextContactInboxId = 1;
    nextMessageId = 1;
    seedWorld(deps.seed, store);
  };
  reset();

  return {
    ...store,
    messageListeners,
    reset,
    findTokenOwner(token) {
      for (const bot of store.agentBots.values()) if (bot.accessToken === token) return { kind: 'bot', bot };
      for (const user of store.users.values()) if (user.accessToken === token) return { kind: 'user', user };
      return undefined;
    },
    findConversation: (accountId, displayId) =>
      store.conversations.get(conversationKey(accountId, displayId)),
    conversationMessages: (conversation) =>
      messagesByConversation.get(conversationKey(conversation.accountId, conversation.displayId)) ?? [],
    createContact(accountId, fields) {
      const name =
        fields.name ??
        `${NAME_ADJECTIVES[random.integer(0, 7)]}-${NAME_NOUNS[random.integer(0, 7)]}-${random.integer(100, 999)}`;
      const contact: ContactRecord = {
        id: nextContactId++,
        accountId,
        name,
        email: fields.email ?? null,
        phoneNumber: fields.phoneNumber ?? null,
        identifier: fields.identifier ?? null,
        blocked: false,
        additionalAttributes: {},
        customAttributes: {},
        createdAt: now(),
        lastActivityAt: null,
      };
      store.contacts.set(contact.id, contact);
      return contact;
    },
    findOrCreateContactInbox(contactId, inboxId) {
      for (const existing of store.contactInboxes.values()) {
        if (existing.contactId === contactId && existing.inboxId === inboxId) return existing;
      }
      const time = now();
      const created: ContactInboxRecord = {
        id: nextContactInboxId++,
        contactId,
        inboxId,
        sourceId: random.uuid(),
        pubsubToken: random.token(24),
        createdAt: time,
        updatedAt: time,
      };
      store.contactInboxes.set(created.id, created);
      return created;
    },
    createConversation(fields) {
      const displayId = (displayIdCounters.get(fields.accountId) ?? 0) + 1;
      displayIdCounters.set(fields.accountId, displayId);
      const time = now();
      const conversation: ConversationRecord = {
        ...fields,
        displayId,
        uuid: random.uuid(),
        assigneeId: null,
        assigneeAgentBotId: null,
        teamId: null,
        labels: [],
        priority: null,
        customAttributes: {},
        snoozedUntil: null,
        // Chatwoot's before_create ensure_waiting_since.
        waitingSince: time,
        firstReplyCreatedAt: null,
        agentLastSeenAt: null,
        contactLastSeenAt: null,
        lastActivityAt: time,
        createdAt: time,
        updatedAt: time,
      };
      const key = conversationKey(fields.accountId, displayId);
      store.conversations.set(key, conversation);
      messagesByConversation.set(key, []);
      return conversation;
    },
    insertMessage(fields) {
      const time = now();
      const message: MessageRecord = {
        ...fields,
        id: nextMessageId++,
        status: 'sent',
        createdAt: time,
        updatedAt: time,
      };
      store.messages.set(message.id, message);
      const key = conversationKey(fields.accountId, fields.conversationDisplayId);
      const list = messagesByConversation.get(key) ?? [];
      list.push(message);
      messagesByConversation.set(key, list);
      for (const listener of messageListeners) listener(message);
      return message;
    },
  };
}
