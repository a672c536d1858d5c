import type { ConversationRow } from '../db/repositories/conversation-repository.ts';
import { createOutboxRepository, type OutboundMessageRow } from '../db/repositories/outbox-repository.ts';
import { coerceError } from '../errors/coerce-error.ts';
import { isChatwootPortError, type ChatwootPort, type ConversationTarget } from './chatwoot-port.ts';
import { handoffOvertaken, isCancelled, ownershipLost, reconcile } from './outbox-checks.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

/** Effects the bot may perform only while it still owns the episode. */
const BOT_OWNED_KINDS = new Set(['reply', 'labels', 'priority']);

/** An unsettled outbox row and whether its decision was a handoff. */
export interface DeliverableRow {
  readonly row: OutboundMessageRow;
  readonly ofHandoff: boolean;
  /**
   * The commit that created it already marked it `sending` (attempt 1), with the bot's ownership
   * checked in Chatwoot just before and in our database under the row lock: post it at once. It
   * is the first row; the ownership check holds for the rows after it too.
   */
  readonly isReadyToPost?: boolean;
}

export type RecordSent = (
  outboxId: number,
  chatwootMessageId: number | null,
  at: Date,
) => Promise<void> | void;

/**
 * A retry of a post found that it must not happen any more: a human took the conversation over
 * (reply) or acted first (the handoff's customer message) during the backoff.
 */
class PostOvertakenError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`post overtaken: ${reason}`);
    this.reason = reason;
  }
}

export class AwaitingReconciliationError extends Error {
  readonly isRetryable = true;
  constructor(outboxId: number) {
    super(
      `outbound message ${outboxId} may have reached Chatwoot; waiting for its echo before posting again`,
    );
  }
}

/**
 * Posts a conversation's unsettled outbox rows in order, exactly once each. Before the first
 * bot-owned post, ownership is re-checked in our database and, when this Chatwoot allows it, in
 * Chatwoot itself; a takeover cancels every unsent reply. A send that may have reached Chatwoot
 * (timeout, reset) is reconciled against the echo webhook or the message list before posting again.
 */
export async function deliverOutbox(
  deps: Pick<PipelineDeps, 'db' | 'chatwoot' | 'logger' | 'now' | 'timings'>,
  conversation: ConversationRow,
  /**
   * The unsettled rows when the caller knows them: a reply run that just committed its decision
   * (nothing else was unsettled: the run posts what earlier attempts left before deciding, and one
   * run holds a conversation's claim at a time). A takeover that cancels them meanwhile is still
   * seen, by markSending.
   */
  unsettled?: readonly DeliverableRow[],
  /**
   * Records a post as sent. By default at once; a reply run hands its posts to the statement that
   * ends its claim instead (create-reply-queue.ts): until then they stay `sending`, which a crash
   * leaves for the next claim to reconcile, as any interrupted send.
   */
  recordSent?: RecordSent,
): Promise<void> {
  const outbox = createOutboxRepository(deps.db);
  const record: RecordSent =
    recordSent ?? ((outboxId, chatwootMessageId, at) => outbox.markSent(outboxId, chatwootMessageId, at));
  const rows: readonly DeliverableRow[] =
    unsettled ?? (await outbox.listUnsettledForDelivery(conversation.id));
  if (rows.length === 0) return;
  const target: ConversationTarget = {
    connection: conversation.connection,
    accountId: conversation.accountId,
    conversationId: conversation.chatwootConversationId,
  };
  const port = deps.chatwoot(conversation.connection);
  /** Why the bot lost the conversation; undefined until checked (once, before the first bot-owned post). */
  let lost: string | null | undefined = rows[0]?.isReadyToPost ? null : undefined;

  for (const deliverable of rows) {
    const { row, ofHandoff } = deliverable;
    // Labels and priority that come with a handoff belong to it: the bot gave the conversation up by
    // that very decision, so they must not wait for an ownership it no longer has.
    if (BOT_OWNED_KINDS.has(row.kind) && !ofHandoff) {
      if (lost === undefined) {
        lost = await ownershipLost(deps, port, conversation, target);
        if (lost) {
          const cancelled = await outbox.cancelUnsentReplies(conversation.id, lost);
          deps.logger.info(
            { reason: lost, cancelled },
            'reply dropped: the bot no longer owns the conversation',
          );
        }
      }
      if (lost) {
        // Settle the reply's labels/priority too, or a later episode would post them.
        if (row.kind !== 'reply') await outbox.markFailed(row.id, `skipped: ${lost}`);
        continue;
      }
    }
    // A pending reply's cancellation is checked by markSending (deliverRow); a `sending`
    // one is checked here, before reconciliation could mark it sent.
    if (
      row.kind === 'reply' &&
      row.status === 'sending' &&
      !deliverable.isReadyToPost &&
      (await isCancelled(deps, row))
    )
      continue;
    if (row.kind === 'handoff_message' || row.kind === 'open') {
      const overtaken = await handoffOvertaken(deps, port, conversation, target, row);
      if (overtaken) {
        await outbox.markFailed(row.id, `skipped: ${overtaken}`);
        deps.logger.info(
          { outboxId: row.id, kind: row.kind, reason: overtaken },
          'handoff effect skipped: a human acted first',
        );
        continue;
      }
    }
    // A post retried after a 429 or 5xx can come seconds after the checks above: each retry
    // checks again, so a takeover during the backoff is never talked over.
    const recheck =
      row.kind === 'reply' && !ofHandoff
        ? () => ownershipLost(deps, port, conversation, target)
        : row.kind === 'handoff_message'
          ? () => handoffOvertaken(deps, port, conversation, target, row)
          : null;
    await deliverRow(deps, port, target, conversation, deliverable, recheck, record);
  }
}

async function deliverRow(
  deps: Pick<PipelineDeps, 'db' | 'logger' | 'now' | 'timings'>,
  port: ChatwootPort,
  target: ConversationTarget,
  conversation: ConversationRow,
  { row, isReadyToPost = false }: DeliverableRow,
  /** Before each retry of the post: why it must not happen any more, or null. */
  recheck: (() => Promise<string | null>) | null,
  recordSent: RecordSent,
): Promise<void> {
  const outbox = createOutboxRepository(deps.db);
  const isMessage = row.kind === 'reply' || row.kind === 'handoff_note' || row.kind === 'handoff_message';
  if (isMessage && row.status === 'sending' && !isReadyToPost) {
    const found = await reconcile(deps, port, target, conversation, row);
    if (found !== null) {
      await outbox.markSent(row.id, found, deps.now());
      deps.logger.info(
        { outboxId: row.id, chatwootMessageId: found },
        'ambiguous send reconciled: Chatwoot already had it',
      );
      return;
    }
    const waited = deps.now().getTime() - (row.lastAttemptAt?.getTime() ?? 0);
    if (waited < deps.timings.reconcileWindowMs) throw new AwaitingReconciliationError(row.id);
  }
  if (!isReadyToPost && !(await outbox.markSending(row.id, deps.now()))) {
    deps.logger.info({ outboxId: row.id, kind: row.kind }, 'outbound effect settled meanwhile; not posting');
    return;
  }
  const beforeRetry = recheck
    ? async () => {
        const reason = await recheck();
        if (reason) throw new PostOvertakenError(reason);
      }
    : undefined;
  try {
    const chatwootMessageId = await perform(port, target, row, beforeRetry);
    await recordSent(row.id, chatwootMessageId, deps.now());
  } catch (thrown) {
    if (thrown instanceof PostOvertakenError) {
      // The earlier attempts failed without creating the message (only such failures are retried).
      if (row.kind === 'reply') await outbox.cancelUnsentReplies(conversation.id, thrown.reason);
      else await outbox.markFailed(row.id, `skipped: ${thrown.reason}`);
      deps.logger.info(
        { outboxId: row.id, kind: row.kind, reason: thrown.reason },
        'post dropped before its retry: a human took over meanwhile',
      );
      return;
    }
    const error = coerceError(thrown);
    const ambiguous = isMessage && isChatwootPortError(error) && error.isOutcomeUnknown;
    const retryable = !isChatwootPortError(error) || error.isRetryable;
    if (ambiguous) {
      // Leave it `sending`: the next attempt reconciles before posting again.
    } else if (retryable) {
      await outbox.markPending(row.id, error.message);
    } else {
      await outbox.markFailed(row.id, error.message);
      deps.logger.error(
        { outboxId: row.id, kind: row.kind, err: error },
        'Chatwoot refused an outbound effect; not retrying',
      );
      return;
    }
    throw error;
  }
}

async function perform(
  port: ChatwootPort,
  target: ConversationTarget,
  row: OutboundMessageRow,
  beforeRetry: (() => Promise<void>) | undefined,
): Promise<number | null> {
  switch (row.kind) {
    case 'reply':
    case 'handoff_note':
    case 'handoff_message':
      return (
        await port.postMessage(
          target,
          { content: row.content, isPrivate: row.isPrivate, echoId: row.echoId },
          { beforeRetry },
        )
      ).id;
    case 'open':
      await port.openConversation(target);
      return null;
    case 'labels':
      await port.addLabels(target, JSON.parse(row.content) as string[]);
      return null;
    case 'priority':
      await port.setPriority(target, JSON.parse(row.content) as 'low' | 'medium' | 'high' | 'urgent' | null);
      return null;
    case 'team':
      await port.assignTeam(target, JSON.parse(row.content) as number);
      return null;
    default:
      throw new Error(`unknown outbound effect kind "${row.kind}"`);
  }
}
