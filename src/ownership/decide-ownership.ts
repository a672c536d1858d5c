import type { EventClassification } from '../chatwoot/classify-webhook-event.ts';
import type { ConversationStatus } from '../chatwoot/webhook-schemas.ts';

/** Who may speak: the bot, a human, or nobody until the conversation comes back (`closed` = resolved). */
export type Owner = 'bot' | 'human' | 'closed';

export interface OwnershipState {
  readonly owner: Owner;
  readonly episode: number;
}

/** What one event tells us about the conversation, normalised from any payload shape. */
export interface OwnershipObservation {
  readonly classification: EventClassification | 'bot_handoff' | 'return_to_bot';
  readonly status: ConversationStatus;
  /** `user` for a human assignee, `agent_bot` for a bot, null when unassigned. */
  readonly assigneeType: 'user' | 'agent_bot' | null;
  /** False when the payload is older than what we already know: status and assignee are then ignored. */
  readonly isSnapshotCurrent: boolean;
}

export type OwnershipAction = 'cancel_pending_reply' | 'stop_typing' | 'abort_run';

export interface OwnershipDecision {
  readonly next: OwnershipState;
  readonly changed: boolean;
  readonly reason: string;
  readonly actions: readonly OwnershipAction[];
}

const RELINQUISH_ACTIONS: readonly OwnershipAction[] = ['cancel_pending_reply', 'abort_run', 'stop_typing'];

/**
 * The ownership rule (product.md): the bot owns a conversation only while it is `pending`, has no
 * human assignee and no human has replied publicly in the episode. It regains it only when the
 * conversation is resolved and comes back as `pending` (a new episode), or when someone explicitly
 * returns it (assigns it to the bot while pending, or the `return_to_bot` command).
 * Pure: (state, observation) → (next state, actions, reason).
 */
export function decideOwnership(
  current: OwnershipState | null,
  observation: OwnershipObservation,
): OwnershipDecision {
  if (current === null) return initialOwnership(observation);
  const { classification } = observation;

  if (classification === 'human_reply') return toOwner(current, 'human', 'human_replied');
  if (classification === 'bot_handoff') return toOwner(current, 'human', 'bot_handed_off');
  if (classification === 'return_to_bot') {
    return current.owner === 'bot'
      ? stay(current, 'already_bot_owned')
      : {
          next: { owner: 'bot', episode: current.episode + 1 },
          changed: true,
          reason: 'returned_to_bot',
          actions: [],
        };
  }
  if (!observation.isSnapshotCurrent) return stay(current, 'stale_snapshot_ignored');

  const { status, assigneeType } = observation;
  if (status === 'resolved') return toOwner(current, 'closed', 'resolved');

  if (current.owner === 'closed') {
    if (status === 'pending' && assigneeType !== 'user') {
      return {
        next: { owner: 'bot', episode: current.episode + 1 },
        changed: true,
        reason: 'reopened_pending',
        actions: [],
      };
    }
    return {
      next: { owner: 'human', episode: current.episode + 1 },
      changed: true,
      reason: assigneeType === 'user' ? 'reopened_with_human_assignee' : `reopened_${status}`,
      actions: [],
    };
  }

  if (assigneeType === 'user') return toOwner(current, 'human', 'human_assigned');
  if (status !== 'pending') return toOwner(current, 'human', `status_${status}`);

  // Pending and no human assignee: the bot keeps what it has; a human-owned episode comes back only
  // when it is explicitly assigned to the bot.
  if (current.owner === 'human' && classification === 'assignment_change' && assigneeType === 'agent_bot') {
    return {
      next: { owner: 'bot', episode: current.episode + 1 },
      changed: true,
      reason: 'assigned_to_bot',
      actions: [],
    };
  }
  return stay(current, current.owner === 'bot' ? 'bot_owns_pending' : 'human_owned_episode');
}

function initialOwnership(observation: OwnershipObservation): OwnershipDecision {
  const start = (owner: Owner, reason: string): OwnershipDecision => ({
    next: { owner, episode: 1 },
    changed: true,
    reason,
    actions: [],
  });
  if (observation.classification === 'human_reply') return start('human', 'human_replied');
  if (observation.classification === 'bot_handoff') return start('human', 'bot_handed_off');
  if (observation.status === 'resolved') return start('closed', 'resolved');
  if (observation.assigneeType === 'user') return start('human', 'human_assigned');
  if (observation.status !== 'pending') return start('human', `status_${observation.status}`);
  return start('bot', 'new_pending_conversation');
}

function toOwner(current: OwnershipState, owner: Owner, reason: string): OwnershipDecision {
  if (current.owner === owner) return stay(current, reason);
  return {
    next: { owner, episode: current.episode },
    changed: true,
    reason,
    actions: current.owner === 'bot' ? RELINQUISH_ACTIONS : [],
  };
}

function stay(current: OwnershipState, reason: string): OwnershipDecision {
  return { next: current, changed: false, reason, actions: [] };
}
