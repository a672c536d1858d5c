import type { ActivityChange } from './build-activity-content.ts';
import { buildActivityContent } from './build-activity-content.ts';
import type { ChangedAttribute } from './build-event-payloads.ts';
import { toIsoOrNull, toIsoString } from './chatwoot-time.ts';
import type { BotEventEmitter } from './create-bot-event-emitter.ts';
import type { SimulatorStore } from './create-simulator-store.ts';
import type { ConversationRecord, Performer } from './simulator-types.ts';

/** The conversation columns whose change makes Chatwoot dispatch `conversation_updated`. */
export type ConversationPatch = Partial<
  Pick<
    ConversationRecord,
    | 'status'
    | 'assigneeId'
    | 'assigneeAgentBotId'
    | 'teamId'
    | 'labels'
    | 'priority'
    | 'customAttributes'
    | 'snoozedUntil'
    | 'waitingSince'
    | 'firstReplyCreatedAt'
  >
>;

type PatchKey = keyof ConversationPatch;

/** Record field → Rails column name, in the order Rails reports `previous_changes`. */
const COLUMN_NAMES: [PatchKey, string][] = [
  ['status', 'status'],
  ['assigneeId', 'assignee_id'],
  ['assigneeAgentBotId', 'assignee_agent_bot_id'],
  ['teamId', 'team_id'],
  ['priority', 'priority'],
  ['customAttributes', 'custom_attributes'],
  ['snoozedUntil', 'snoozed_until'],
  ['waitingSince', 'waiting_since'],
  ['firstReplyCreatedAt', 'first_reply_created_at'],
  ['labels', 'label_list'],
];

const TIME_KEYS = new Set<PatchKey>(['snoozedUntil', 'waitingSince', 'firstReplyCreatedAt']);

export interface ConversationUpdater {
  /** Saves the patch and runs Chatwoot's after-update callbacks; returns the changed columns. */
  update(conversation: ConversationRecord, patch: ConversationPatch, performer: Performer): string[];
  addActivity(conversation: ConversationRecord, content: string): void;
}

export function performerName(performer: Performer): string | null {
  if (performer.kind === 'user') return performer.user.name;
  if (performer.kind === 'bot') return performer.bot.name;
  return null;
}

function serialize(key: PatchKey, value: unknown): unknown {
  if (TIME_KEYS.has(key)) return toIsoOrNull(value as number | null);
  return structuredClone(value);
}

/**
 * `Conversation#save` + `execute_after_update_commit_callbacks`: clears the bot assignee when a user
 * is assigned, resets `snoozed_until` unless snoozed, then emits opened/resolved/status_changed,
 * writes activity messages, and emits `conversation_updated` with `changed_attributes`.
 */
export function createConversationUpdater(deps: {
  store: SimulatorStore;
  emitter: BotEventEmitter;
  now: () => number;
}): ConversationUpdater {
  const { store, emitter, now } = deps;

  const addActivity = (conversation: ConversationRecord, content: string): void => {
    store.insertMessage({
      accountId: conversation.accountId,
      inboxId: conversation.inboxId,
      conversationDisplayId: conversation.displayId,
      messageType: 'activity',
      content,
      contentType: 'text',
      contentAttributes: {},
      additionalAttributes: {},
      isPrivate: false,
      sourceId: null,
      echoId: null,
      sender: null,
    });
  };

  const activityChanges = (before: ConversationRecord, after: ConversationRecord, changed: Set<PatchKey>) => {
    const changes: ActivityChange[] = [];
    if (changed.has('status')) changes.push({ kind: 'status', status: after.status });
    if (changed.has('priority'))
      changes.push({ kind: 'priority', previous: before.priority, current: after.priority });
    if (changed.has('labels')) {
      changes.push({
        kind: 'labels',
        added: after.labels.filter((label) => !before.labels.includes(label)),
        removed: before.labels.filter((label) => !after.labels.includes(label)),
      });
    }
    if (changed.has('teamId')) {
      const team = after.teamId === null ? undefined : store.teams.get(after.teamId);
      const previous = before.teamId === null ? undefined : store.teams.get(before.teamId);
      changes.push({ kind: 'team', teamName: team?.name ?? null, previousTeamName: previous?.name ?? null });
    } else if (changed.has('assigneeId')) {
      const user = after.assigneeId === null ? undefined : store.users.get(after.assigneeId);
      changes.push({ kind: 'assignee', assigneeName: user?.name ?? null, isSelfAssigned: false });
    }
    return changes;
  };

  const update = (
    conversation: ConversationRecord,
    patch: ConversationPatch,
    performer: Performer,
  ): string[] => {
    const next: ConversationRecord = { ...conversation, ...patch };
    if (next.assigneeId !== null) next.assigneeAgentBotId = null;
    if (next.status !== 'snoozed') next.snoozedUntil = null;
    const changed = new Set<PatchKey>();
    for (const [key] of COLUMN_NAMES) {
      if (JSON.stringify(conversation[key]) !== JSON.stringify(next[key])) changed.add(key);
    }
    if (changed.size === 0) return [];
    const before = structuredClone(conversation);
    const previousUpdatedAt = conversation.updatedAt;
    Object.assign(conversation, next, { updatedAt: Math.max(now(), previousUpdatedAt) });
    const changedAttributes: ChangedAttribute[] = COLUMN_NAMES.filter(([key]) => changed.has(key)).map(
      ([key, column]) => ({
        [column]: {
          previous_value: serialize(key, before[key]),
          current_value: serialize(key, conversation[key]),
        },
      }),
    );
    changedAttributes.push({
      updated_at: {
        previous_value: toIsoString(previousUpdatedAt),
        current_value: toIsoString(conversation.updatedAt),
      },
    });

    if (changed.has('status')) {
      // handle_resolved_status_change: update_column, so no event of its own.
      if (conversation.status === 'resolved') conversation.waitingSince = null;
      if (conversation.status === 'open') emitter.conversationEvent(conversation, 'conversation_opened');
      if (conversation.status === 'resolved')
        emitter.conversationEvent(conversation, 'conversation_resolved');
      emitter.conversationEvent(conversation, 'conversation_status_changed');
    }
    const name = performerName(performer);
    for (const change of activityChanges(before, conversation, changed)) {
      if (change.kind === 'assignee' && performer.kind === 'user') {
        change.isSelfAssigned = performer.user.id === conversation.assigneeId;
      }
      for (const content of buildActivityContent(change, name)) addActivity(conversation, content);
    }
    emitter.conversationEvent(conversation, 'conversation_updated', changedAttributes);
    return COLUMN_NAMES.filter(([key]) => changed.has(key)).map(([, column]) => column);
  };

  return { update, addActivity };
}
