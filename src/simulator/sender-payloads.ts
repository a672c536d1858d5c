import type { SimulatorStore } from './create-simulator-store.ts';
import type { AgentBotRecord, ContactRecord, SenderRef, TeamRecord, UserRecord } from './simulator-types.ts';

/**
 * Chatwoot has two serialisations per model: `webhook_data` (top-level webhook `sender`) and
 * `push_event_data` (inside `conversation.messages[]`, `meta`, REST responses). They differ, e.g.
 * a contact's webhook data has `account` and `avatar` but no `type`.
 */

type Lookups = Pick<SimulatorStore, 'accounts' | 'contacts' | 'users' | 'agentBots'>;

export function accountWebhookData(lookups: Pick<SimulatorStore, 'accounts'>, accountId: number) {
  const account = lookups.accounts.get(accountId);
  return { id: accountId, name: account?.name ?? '' };
}

export function contactWebhookData(lookups: Pick<SimulatorStore, 'accounts'>, contact: ContactRecord) {
  return {
    account: accountWebhookData(lookups, contact.accountId),
    additional_attributes: contact.additionalAttributes,
    avatar: '',
    custom_attributes: contact.customAttributes,
    email: contact.email,
    id: contact.id,
    identifier: contact.identifier,
    name: contact.name,
    phone_number: contact.phoneNumber,
    thumbnail: '',
    blocked: contact.blocked,
  };
}

export function contactPushData(contact: ContactRecord) {
  return {
    additional_attributes: contact.additionalAttributes,
    custom_attributes: contact.customAttributes,
    email: contact.email,
    id: contact.id,
    identifier: contact.identifier,
    name: contact.name,
    phone_number: contact.phoneNumber,
    thumbnail: '',
    blocked: contact.blocked,
    type: 'contact' as const,
  };
}

export function userWebhookData(user: UserRecord) {
  return { id: user.id, name: user.name, email: user.email, type: 'user' as const };
}

export function userPushData(user: UserRecord) {
  return {
    id: user.id,
    name: user.name,
    available_name: user.name,
    avatar_url: '',
    type: 'user' as const,
    availability_status: 'online',
    thumbnail: '',
  };
}

export function botWebhookData(bot: AgentBotRecord) {
  return { id: bot.id, name: bot.name, type: 'agent_bot' as const };
}

export function botPushData(bot: AgentBotRecord) {
  return { id: bot.id, name: bot.name, avatar_url: '', type: 'agent_bot' as const };
}

export function teamPushData(team: TeamRecord) {
  return { id: team.id, name: team.name, icon: null, icon_color: null };
}

/** `sender.try(:webhook_data)`: null for template and system messages. */
export function senderWebhookData(lookups: Lookups, sender: SenderRef) {
  if (sender === null) return null;
  if (sender.type === 'contact') {
    const contact = lookups.contacts.get(sender.id);
    return contact ? contactWebhookData(lookups, contact) : null;
  }
  if (sender.type === 'user') {
    const user = lookups.users.get(sender.id);
    return user ? userWebhookData(user) : null;
  }
  const bot = lookups.agentBots.get(sender.id);
  return bot ? botWebhookData(bot) : null;
}

export function senderPushData(lookups: Lookups, sender: SenderRef) {
  if (sender === null) return null;
  if (sender.type === 'contact') {
    const contact = lookups.contacts.get(sender.id);
    return contact ? contactPushData(contact) : null;
  }
  if (sender.type === 'user') {
    const user = lookups.users.get(sender.id);
    return user ? userPushData(user) : null;
  }
  const bot = lookups.agentBots.get(sender.id);
  return bot ? botPushData(bot) : null;
}

/** Rails `sender_type` column values. */
export function senderTypeName(sender: SenderRef): 'Contact' | 'User' | 'AgentBot' | null {
  if (sender === null) return null;
  return sender.type === 'contact' ? 'Contact' : sender.type === 'user' ? 'User' : 'AgentBot';
}
