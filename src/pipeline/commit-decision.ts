import type { Executor } from '../db/database.ts';
import {
  createConversationRepository,
  type ConversationRow,
} from '../db/repositories/conversation-repository.ts';
import { createOutboxRepository, type EffectDraft } from '../db/repositories/outbox-repository.ts';
import type { DeliverableRow } from './deliver-outbox.ts';
import type { InboxPolicy } from './inbox-policy.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import type { ResponderDecision } from './responder.ts';

export type CommitResult =
  | {
      readonly committed: true;
      readonly decisionId: number;
      /** The decision's outbox rows, as committed: what deliverOutbox posts next. */
      readonly outbox: readonly DeliverableRow[];
    }
  | { readonly committed: false; readonly reason: string };

/**
 * Persists the decision and every effect it implies (the outbox) in one transaction, but only if
 * the bot still owns this episode — re-checked under the conversation's row lock. From here on the
 * effects are durable: a crash before posting is finished by the next attempt, never re-decided.
 */
export async function commitDecision(
  deps: Pick<PipelineDeps, 'db' | 'now'>,
  input: {
    readonly conversation: ConversationRow;
    readonly decision: ResponderDecision;
    readonly answeredMessageIds: readonly number[];
    readonly policy: InboxPolicy;
    readonly jobId: string;
  },
): Promise<CommitResult> {
  return deps.db.transaction(async (tx) => {
    const conversations = createConversationRepository(tx);
    const outbox = createOutboxRepository(tx);
    const { conversation, decision, answeredMessageIds } = input;
    const locked = await conversations.lockById(conversation.id, tx);
    const base = {
      conversationId: conversation.id,
      episode: conversation.episode,
      answeredMessageIds: [...answeredMessageIds],
      jobId: input.jobId,
    };
    if (!locked || locked.owner !== 'bot' || locked.episode !== conversation.episode) {
      await outbox.recordDecision({
        ...base,
        decision: 'dropped',
        reason: 'ownership_lost_before_post',
        runId: decision.runId ?? null,
      });
      return { committed: false, reason: 'ownership_lost_before_post' };
    }
    const { decisionId, rows } = await outbox.recordDecisionWithEffects(
      {
        ...base,
        decision:
          decision.kind === 'reply' ? 'replied' : decision.kind === 'handoff' ? 'handed_off' : 'silent',
        reason: decision.reason,
        runId: decision.runId ?? null,
        actions: 'actions' in decision ? [...(decision.actions ?? [])] : [],
      },
      effectsOf(decision, input.policy, { conversationId: conversation.id, episode: conversation.episode }),
      tx,
    );
    // Messages that arrived during the run stay unanswered; the update finds the oldest of them.
    await conversations.markAnswered(
      conversation.id,
      {
        episode: conversation.episode,
        lastAnsweredMessageId: Math.max(...answeredMessageIds),
        changes: {
          ...(decision.kind === 'reply' ? { botTurnsInEpisode: locked.botTurnsInEpisode + 1 } : {}),
          ...(decision.kind === 'handoff' ? { owner: 'human', ownerReason: 'bot_handed_off' } : {}),
        },
      },
      tx,
    );
    if (decision.kind === 'handoff') {
      await conversations.recordTransition(
        {
          conversationId: conversation.id,
          fromOwner: 'bot',
          toOwner: 'human',
          episode: conversation.episode,
          event: 'bot_handoff',
          reason: `bot_handed_off:${decision.reason}`,
        },
        tx,
      );
    }
    const ofHandoff = decision.kind === 'handoff';
    return { committed: true, decisionId, outbox: rows.map((row) => ({ row, ofHandoff })) };
  });
}

type EffectBase = Pick<EffectDraft, 'conversationId' | 'episode'>;

/** The ordered effects of a decision; each row gets a unique echo id (echoIdOf) so its send is idempotent. */
function effectsOf(decision: ResponderDecision, policy: InboxPolicy, base: EffectBase): EffectDraft[] {
  const rows: Array<Pick<EffectDraft, 'kind' | 'content' | 'isPrivate'>> = [];
  const actions = 'actions' in decision ? (decision.actions ?? []) : [];
  const labelsOf = (extra: readonly string[]) => [
    ...new Set([
      ...actions.flatMap((action) => (action.type === 'add_labels' ? action.labels : [])),
      ...extra,
    ]),
  ];
  const priority = actions.find((action) => action.type === 'set_priority');

  if (decision.kind === 'reply') {
    for (const message of decision.messages)
      if (message.trim()) rows.push({ kind: 'reply', content: message, isPrivate: false });
    const labels = labelsOf([]);
    if (labels.length > 0) rows.push({ kind: 'labels', content: JSON.stringify(labels), isPrivate: false });
    if (priority)
      rows.push({ kind: 'priority', content: JSON.stringify(priority.priority), isPrivate: false });
  } else if (decision.kind === 'handoff') {
    rows.push({ kind: 'handoff_note', content: handoffNote(decision), isPrivate: true });
    const customerMessage = decision.customerMessage ?? policy.handoff.defaultCustomerMessage;
    if (customerMessage) rows.push({ kind: 'handoff_message', content: customerMessage, isPrivate: false });
    rows.push({ kind: 'open', content: '', isPrivate: false });
    const labels = labelsOf(policy.handoff.labels);
    if (labels.length > 0) rows.push({ kind: 'labels', content: JSON.stringify(labels), isPrivate: false });
    if (priority)
      rows.push({ kind: 'priority', content: JSON.stringify(priority.priority), isPrivate: false });
    if (policy.handoff.teamId !== null)
      rows.push({ kind: 'team', content: JSON.stringify(policy.handoff.teamId), isPrivate: false });
  }
  return rows.map((row, sequence) => ({ ...base, ...row, sequence }));
}

function handoffNote(decision: Extract<ResponderDecision, { kind: 'handoff' }>): string {
  return [
    `🤖 Handed off to a human — reason: ${decision.reason.replaceAll('_', ' ')}`,
    '',
    decision.summary.trim(),
  ]
    .join('\n')
    .trim();
}

export type { Executor };
