import { sql } from 'drizzle-orm';

import type { ConversationRow } from '../db/repositories/conversation-repository.ts';
import { echoIdOf, type EffectDraft } from '../db/repositories/outbox-repository.ts';
import { queryPreparedRows } from '../db/query-rows.ts';
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
 *
 * One round trip: the statements run server-side in `commit_reply_decision` (migration 0009),
 * which holds the row lock for microseconds instead of across five client round trips.
 */
export async function commitDecision(
  deps: Pick<PipelineDeps, 'db' | 'now'>,
  input: {
    readonly conversation: ConversationRow;
    readonly decision: ResponderDecision;
    readonly answeredMessageIds: readonly number[];
    readonly policy: InboxPolicy;
    /**
     * The run's claim on the burst (create-reply-queue.ts): nothing is committed once it lapsed
     * and another run holds the burst. Null commits without the check (tests, tools).
     */
    readonly claim: string | null;
    /**
     * Chatwoot's view already showed the bot's turn over (status no longer pending, a human
     * assignee): the burst is recorded as answered by a `dropped` decision with this reason, and
     * nothing is posted.
     */
    readonly droppedBecause?: string | null;
    /**
     * The first effect is posted right after the commit and its ownership was checked in Chatwoot
     * just before (a public reply): it is stored as `sending`, ready to post (DeliverableRow.isReadyToPost).
     */
    readonly postsFirstEffectNow?: boolean;
  },
): Promise<CommitResult> {
  const { conversation, decision, answeredMessageIds } = input;
  const dropped = input.droppedBecause ?? null;
  const effects = dropped
    ? []
    : effectsOf(decision, input.policy, { conversationId: conversation.id, episode: conversation.episode });
  const firstSending = Boolean(input.postsFirstEffectNow) && effects.length > 0;
  const now = deps.now();
  const [result] = await queryPreparedRows<{ result: CommitFunctionResult }>(
    deps.db,
    'commit_reply_decision',
    sql`select commit_reply_decision(
      ${conversation.id}, ${input.claim}::uuid, ${conversation.episode},
      ${dropped ? 'dropped' : recordedDecisionOf(decision)}, ${dropped ?? decision.reason},
      ${JSON.stringify(answeredMessageIds)}::jsonb, ${decision.runId ?? null},
      ${JSON.stringify(dropped ? [] : 'actions' in decision ? (decision.actions ?? []) : [])}::jsonb,
      ${JSON.stringify(
        effects.map((effect) => ({
          sequence: effect.sequence,
          kind: effect.kind,
          content: effect.content,
          is_private: effect.isPrivate ?? false,
        })),
      )}::jsonb,
      ${Math.max(...answeredMessageIds)}, ${!dropped && decision.kind === 'reply'},
      ${!dropped && decision.kind === 'handoff' ? decision.reason : null}, ${firstSending},
      ${now.toISOString()}::timestamptz
    ) as result`,
  );
  const outcome = result!.result;
  if (!outcome.committed) return { committed: false, reason: outcome.reason };
  const ofHandoff = !dropped && decision.kind === 'handoff';
  const rows = outcome.effects.map((inserted, index): DeliverableRow => {
    const effect = effects[index]!;
    const isReadyToPost = firstSending && index === 0;
    return {
      row: {
        id: Number(inserted.id),
        conversationId: conversation.id,
        decisionId: outcome.decisionId,
        episode: conversation.episode,
        sequence: inserted.sequence,
        kind: effect.kind,
        content: effect.content,
        isPrivate: effect.isPrivate ?? false,
        echoId: echoIdOf(outcome.decisionId, inserted.sequence),
        status: inserted.status,
        attempts: inserted.attempts,
        chatwootMessageId: null,
        lastError: null,
        lastAttemptAt: isReadyToPost ? now : null,
        createdAt: new Date(inserted.createdAt),
        sentAt: null,
      },
      ofHandoff,
      ...(isReadyToPost ? { isReadyToPost } : {}),
    };
  });
  return { committed: true, decisionId: outcome.decisionId, outbox: rows };
}

type CommitFunctionResult =
  | { readonly committed: false; readonly reason: string }
  | {
      readonly committed: true;
      readonly decisionId: number;
      readonly effects: ReadonlyArray<{
        id: number;
        sequence: number;
        status: string;
        attempts: number;
        createdAt: string;
      }>;
    };

function recordedDecisionOf(decision: ResponderDecision): string {
  return decision.kind === 'reply' ? 'replied' : decision.kind === 'handoff' ? 'handed_off' : 'silent';
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
