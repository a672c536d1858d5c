import {
  createConversationRepository,
  type ConversationRow,
} from '../db/repositories/conversation-repository.ts';
import { createOutboxRepository } from '../db/repositories/outbox-repository.ts';
import { createTranscriptRepository, type TranscriptRow } from '../db/repositories/transcript-repository.ts';
import type { ReplyJob } from '../jobs/create-reply-queue.ts';
import type { ConversationTarget } from './chatwoot-port.ts';
import { chatwootOwnershipLost } from './chatwoot-ownership-lost.ts';
import { commitDecision } from './commit-decision.ts';
import { deliverOutbox } from './deliver-outbox.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import type { ResponderDecision, TranscriptEntry, TranscriptRole } from './responder.ts';
import { runResponder } from './run-responder.ts';

/**
 * Claims of one burst after which it is given up: its runs kept failing (Chatwoot or the database
 * down for ~10 minutes of backoff). The burst is then recorded as dropped, so it does not stay due.
 */
export const MAX_REPLY_ATTEMPTS = 9;

/**
 * One claimed burst (create-reply-queue.ts): finish any effects a previous attempt committed,
 * then — if the bot still owns the conversation and customer messages wait — run the responder
 * once for all of them, commit the decision with its effects, and deliver them exactly once.
 */
export async function handleReplyJob(deps: PipelineDeps, job: ReplyJob): Promise<void> {
  let { conversation, episode } = job;
  if (job.attempt > MAX_REPLY_ATTEMPTS) return giveUp(deps, job);
  if (job.hasUnsettledOutbox) {
    // A previous attempt committed effects and crashed before posting them all.
    await deliverOutbox(deps, conversation);
    const fresh = await createConversationRepository(deps.db).findById(conversation.id);
    if (!fresh) return;
    conversation = fresh;
    episode = await createTranscriptRepository(deps.db).listEpisode(conversation.id, conversation.episode);
  }

  const unanswered = unansweredIn(conversation, episode);
  if (unanswered.length === 0) return;
  const answeredIds = unanswered.map((message) => message.chatwootMessageId);
  const outbox = createOutboxRepository(deps.db);

  if (conversation.owner !== 'bot') {
    await outbox.recordDecision({
      conversationId: conversation.id,
      episode: conversation.episode,
      decision: 'silent',
      reason: `owner_${conversation.owner}`,
      answeredMessageIds: answeredIds,
      jobId: job.claim,
    });
    deps.logger.info(
      { owner: conversation.owner, messages: answeredIds.length },
      'staying silent: the bot does not own the conversation',
    );
    return;
  }
  const policy = await deps.inboxPolicy(conversation.connection, conversation.inboxId);
  const target: ConversationTarget = {
    connection: conversation.connection,
    accountId: conversation.accountId,
    conversationId: conversation.chatwootConversationId,
  };

  let decision: ResponderDecision;
  if (!policy.enabled) {
    decision = { kind: 'silent', reason: 'inbox_disabled' };
  } else if (policy.maxBotTurns > 0 && conversation.botTurnsInEpisode >= policy.maxBotTurns) {
    decision = {
      kind: 'handoff',
      reason: 'max_turns',
      summary: `The bot reached its limit of ${policy.maxBotTurns} replies in this conversation.`,
    };
  } else {
    const outcome = await runResponder(deps, conversation, target, {
      conversation: toResponderConversation(conversation),
      transcript: episode.map(toEntry),
      newMessages: unanswered.map(toEntry),
      now: deps.now(),
    });
    if (outcome.kind === 'aborted') {
      await outbox.recordDecision({
        conversationId: conversation.id,
        episode: conversation.episode,
        decision: 'dropped',
        reason: outcome.reason,
        answeredMessageIds: answeredIds,
        jobId: job.claim,
      });
      deps.logger.info({ reason: outcome.reason }, 'run aborted; nothing posted');
      if (outcome.reason === 'run_timeout') throw new Error('responder run timed out');
      return;
    }
    decision = outcome.decision;
  }

  // A public reply is checked against Chatwoot's own view before it is committed, and against our
  // state under the row lock in the commit, which then marks it ready to post: Chatwoot first, our
  // database last (reading Chatwoot can take long, and a human reply that lands meanwhile shows only
  // in our database), and nothing between the last check and the post but the commit's answer.
  const postsReplyNow = decision.kind === 'reply';
  const droppedBecause = postsReplyNow
    ? await chatwootOwnershipLost(deps, deps.chatwoot(target.connection), target)
    : null;
  const committed = await commitDecision(deps, {
    conversation,
    decision,
    answeredMessageIds: answeredIds,
    policy,
    claim: job.claim,
    droppedBecause,
    postsFirstEffectNow: postsReplyNow,
  });
  if (!committed.committed) {
    deps.logger.info({ reason: committed.reason }, 'reply dropped: ownership changed during the run');
    return;
  }
  if (droppedBecause) {
    deps.logger.info({ reason: droppedBecause }, 'reply dropped: the bot no longer owns the conversation');
    return;
  }
  deps.logger.info(
    { decision: decision.kind, reason: decision.reason, messages: answeredIds.length },
    'decision committed',
  );
  // The posts are recorded as sent by the statement that ends the claim: one round trip fewer.
  await deliverOutbox(deps, conversation, committed.outbox, (outboxId, chatwootMessageId, sentAt) => {
    job.sent.push({ outboxId, chatwootMessageId, sentAt });
  });
}

/**
 * The burst's runs kept failing: it is recorded as dropped (answered by no reply) so that it stops
 * being due. Effects an earlier attempt committed stay in the outbox, posted before the next burst.
 */
async function giveUp(deps: PipelineDeps, job: ReplyJob): Promise<void> {
  const { conversation } = job;
  const unanswered = unansweredIn(conversation, job.episode).map((message) => message.chatwootMessageId);
  deps.logger.error(
    { attempts: job.attempt - 1, messages: unanswered.length },
    'reply given up: every attempt failed; the customer got no answer from the bot',
  );
  if (unanswered.length === 0) return;
  await commitDecision(deps, {
    conversation,
    decision: { kind: 'silent', reason: 'gave_up' },
    answeredMessageIds: unanswered,
    policy: await deps.inboxPolicy(conversation.connection, conversation.inboxId),
    claim: job.claim,
    droppedBecause: `gave_up_after_${job.attempt - 1}_attempts`,
  });
}

/** The customer messages of the episode the bot has not answered yet: the tail of it. */
function unansweredIn(conversation: ConversationRow, episode: readonly TranscriptRow[]): TranscriptRow[] {
  const answeredUpTo = conversation.lastAnsweredMessageId ?? -1;
  return episode.filter((message) => message.role === 'customer' && message.chatwootMessageId > answeredUpTo);
}

function toResponderConversation(conversation: ConversationRow) {
  return {
    id: conversation.id,
    connection: conversation.connection,
    accountId: conversation.accountId,
    chatwootConversationId: conversation.chatwootConversationId,
    inboxId: conversation.inboxId,
    contactId: conversation.contactId,
    episode: conversation.episode,
    botTurnsInEpisode: conversation.botTurnsInEpisode,
    labels: conversation.labels,
  };
}

function toEntry(row: TranscriptRow): TranscriptEntry {
  return {
    chatwootMessageId: row.chatwootMessageId,
    role: row.role as TranscriptRole,
    content: row.content,
    sentAt: row.sentAt,
  };
}
