import type { ConversationPriority, ConversationStatus } from './simulator-types.ts';

/** Chatwoot's `conversations.activity.*` texts (config/locales/en.yml) for the changes we simulate. */
export type ActivityChange =
  | { kind: 'status'; status: ConversationStatus }
  | { kind: 'priority'; previous: ConversationPriority | null; current: ConversationPriority | null }
  | { kind: 'assignee'; assigneeName: string | null; isSelfAssigned: boolean }
  | { kind: 'team'; teamName: string | null; previousTeamName: string | null }
  | { kind: 'labels'; added: string[]; removed: string[] };

export const BOT_FAILURE_ACTIVITY =
  'Conversation was marked open by system due to an error with the agent bot.';

const STATUS_TEXT: Record<ConversationStatus, (userName: string) => string> = {
  resolved: (userName) => `Conversation was marked resolved by ${userName}`,
  open: (userName) => `Conversation was reopened by ${userName}`,
  pending: (userName) => `Conversation was marked as pending by ${userName}`,
  snoozed: (userName) => `Conversation was snoozed by ${userName}`,
};

/**
 * Activity message texts for one change made by `userName` (a user or a bot). Chatwoot writes no
 * status activity when nobody is `Current.user` (system reopen on an incoming message), so a null
 * performer yields nothing here.
 */
export function buildActivityContent(change: ActivityChange, userName: string | null): string[] {
  if (userName === null) return [];
  switch (change.kind) {
    case 'status':
      return [STATUS_TEXT[change.status](userName)];
    case 'priority':
      if (change.current === null) return [`${userName} removed the priority`];
      if (change.previous === null) return [`${userName} set the priority to ${change.current}`];
      return [`${userName} changed the priority from ${change.previous} to ${change.current}`];
    case 'assignee':
      if (change.assigneeName === null) return [`Conversation unassigned by ${userName}`];
      if (change.isSelfAssigned) return [`${userName} self-assigned this conversation`];
      return [`Assigned to ${change.assigneeName} by ${userName}`];
    case 'team':
      if (change.teamName === null)
        return [`Unassigned from ${change.previousTeamName ?? ''} by ${userName}`];
      return [`Assigned to ${change.teamName} by ${userName}`];
    case 'labels': {
      const texts: string[] = [];
      if (change.added.length > 0) texts.push(`${userName} added ${change.added.join(', ')}`);
      if (change.removed.length > 0) texts.push(`${userName} removed ${change.removed.join(', ')}`);
      return texts;
    }
  }
}
