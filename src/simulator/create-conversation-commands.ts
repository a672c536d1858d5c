import { BOT_FAILURE_ACTIVITY } from './build-activity-content.ts';
import { ChatwootApiFailure } from './chatwoot-api-failure.ts';
import type { ConversationUpdater } from './create-conversation-updater.ts';
import type { SimulatorStore } from './create-simulator-store.ts';
import type {
  AgentBotRecord,
  ConversationPriority,
  ConversationRecord,
  ConversationStatus,
  InboxRecord,
  Performer,
  TeamRecord,
  UserRecord,
} from './simulator-types.ts';
import { CONVERSATION_PRIORITIES, CONVERSATION_STATUSES } from './simulator-types.ts';

export interface ConversationCommands {
  startConversation(
    inbox: InboxRecord,
    contactId: number,
    additionalAttributes?: Record<string, unknown>,
  ): ConversationRecord;
  /** `status` unset toggles like `Conversation#toggle_status`; returns whether the status changed. */
  setStatus(
    conversation: ConversationRecord,
    performer: Performer,
    status?: string,
    snoozedUntil?: number | null,
  ): boolean;
  botHandoff(conversation: ConversationRecord, bot: AgentBotRecord): void;
  assignUser(
    conversation: ConversationRecord,
    userId: number | null,
    performer: Performer,
  ): UserRecord | null;
  assignBot(conversation: ConversationRecord, botId: number, performer: Performer): AgentBotRecord | null;
  assignTeam(
    conversation: ConversationRecord,
    teamId: number | null,
    performer: Performer,
  ): TeamRecord | null;
  setLabels(conversation: ConversationRecord, labels: string[], performer: Performer): string[];
  setCustomAttributes(
    conversation: ConversationRecord,
    attributes: Record<string, unknown>,
    performer: Performer,
  ): void;
  setPriority(conversation: ConversationRecord, priority: string | null, performer: Performer): void;
  /** `Webhooks::Trigger#update_conversation_status` after a failed message delivery. */
  openAfterBotFailure(messageId: number): boolean;
}

/** Rails enum assignment raises ArgumentError, which the API renders as 422. */
function invalidEnum(value: string, name: string): ChatwootApiFailure {
  return new ChatwootApiFailure(422, `'${value}' is not a valid ${name}`);
}

export function createConversationCommands(deps: {
  store: SimulatorStore;
  updater: ConversationUpdater;
  now: () => number;
}): ConversationCommands {
  const { store, updater, now } = deps;

  return {
    startConversation(inbox, contactId, additionalAttributes = {}) {
      const contact = store.contacts.get(contactId);
      const contactInbox = store.findOrCreateContactInbox(contactId, inbox.id);
      // determine_conversation_status: blocked contacts resolve, active bot inboxes start pending.
      const status: ConversationStatus = contact?.blocked
        ? 'resolved'
        : inbox.isBotActive
          ? 'pending'
          : 'open';
      return store.createConversation({
        accountId: inbox.accountId,
        inboxId: inbox.id,
        contactId,
        contactInboxId: contactInbox.id,
        status,
        additionalAttributes,
      });
    },
    setStatus(conversation, performer, status, snoozedUntil) {
      let next: ConversationStatus;
      if (status === undefined || status === '') {
        next = conversation.status === 'open' ? 'resolved' : 'open';
      } else if ((CONVERSATION_STATUSES as readonly string[]).includes(status)) {
        next = status as ConversationStatus;
      } else {
        throw invalidEnum(status, 'status');
      }
      const patch = snoozedUntil === undefined ? { status: next } : { status: next, snoozedUntil };
      return updater.update(conversation, patch, performer).includes('status');
    },
    botHandoff(conversation, bot) {
      const performer: Performer = { kind: 'bot', bot };
      if (conversation.waitingSince === null)
        updater.update(conversation, { waitingSince: now() }, performer);
      updater.update(conversation, { status: 'open' }, performer);
    },
    assignUser(conversation, userId, performer) {
      const user = userId === null ? undefined : store.users.get(userId);
      const assignee = user && user.accountIds.includes(conversation.accountId) ? user : null;
      updater.update(conversation, { assigneeId: assignee?.id ?? null }, performer);
      return assignee;
    },
    assignBot(conversation, botId, performer) {
      const bot = store.agentBots.get(botId);
      if (!bot || bot.accountId !== conversation.accountId) return null;
      updater.update(conversation, { assigneeAgentBotId: bot.id, assigneeId: null }, performer);
      return bot;
    },
    assignTeam(conversation, teamId, performer) {
      const team = teamId === null ? undefined : store.teams.get(teamId);
      const found = team && team.accountId === conversation.accountId ? team : null;
      updater.update(conversation, { teamId: found?.id ?? null }, performer);
      return found;
    },
    setLabels(conversation, labels, performer) {
      const unique = [...new Set(labels.map((label) => label.trim()).filter((label) => label !== ''))];
      updater.update(conversation, { labels: unique }, performer);
      return [...conversation.labels];
    },
    setCustomAttributes(conversation, attributes, performer) {
      updater.update(conversation, { customAttributes: structuredClone(attributes) }, performer);
    },
    setPriority(conversation, priority, performer) {
      if (
        priority !== null &&
        priority !== '' &&
        !(CONVERSATION_PRIORITIES as readonly string[]).includes(priority)
      ) {
        throw invalidEnum(priority, 'priority');
      }
      const value = priority === null || priority === '' ? null : (priority as ConversationPriority);
      updater.update(conversation, { priority: value }, performer);
    },
    openAfterBotFailure(messageId) {
      const message = store.messages.get(messageId);
      if (!message) return false;
      const conversation = store.findConversation(message.accountId, message.conversationDisplayId);
      if (conversation?.status !== 'pending') return false;
      if (store.accounts.get(conversation.accountId)?.keepPendingOnBotFailure) return false;
      updater.update(conversation, { status: 'open' }, { kind: 'system' });
      updater.addActivity(conversation, BOT_FAILURE_ACTIVITY);
      return true;
    },
  };
}
