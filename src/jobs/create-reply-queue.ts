import { sql } from 'drizzle-orm';

import type { Database } from '../db/database.ts';
import { queryPreparedRows, queryRows } from '../db/query-rows.ts';
import type { ConversationRow } from '../db/repositories/conversation-repository.ts';
import type { TranscriptRow } from '../db/repositories/transcript-repository.ts';
import { rowFromJson } from '../db/row-from-json.ts';
import { conversations, transcriptMessages } from '../db/schema/index.ts';
import { MAX_RESPONDER_RUN_MS } from '../pipeline/responder.ts';
import type { BurstsArriving } from '../ingress/bursts-arriving.ts';
import type { FetchedJobs, JobSource, SourcedJob } from './job-source.ts';

/** The reply queue's name: its loop in the dispatcher, and the payload of the NOTIFY that wakes it. */
export const REPLY_QUEUE = 'reply';

/**
 * One claimed burst: a conversation whose reply was due, with what its run needs, read under the
 * claim's row lock (every message committed before the claim is in `episode`).
 */
export interface ReplyJob extends SourcedJob {
  readonly data: { readonly conversationId: number };
  /** The claim's fencing token: the commit and the release are refused once another claim holds the burst. */
  readonly claim: string;
  /** Claims of this burst so far, this one included (1 on the first attempt). */
  readonly attempt: number;
  /** When this worker claimed it (its clock). */
  readonly claimedAt: number;
  readonly conversation: ConversationRow;
  /** Whether an earlier attempt left outbox rows to post (pending or sending). */
  readonly hasUnsettledOutbox: boolean;
  /** The episode's transcript in message order. */
  readonly episode: readonly TranscriptRow[];
  /**
   * Posts the run made: recorded as sent by the statement that ends the claim (settle_reply_claims),
   * not each in a round trip of its own. The run appends to it.
   */
  readonly sent: SentEffect[];
}

/**
 * Calls of the reply queue's functions that change nothing (no conversation, nothing to claim):
 * run on every pooled connection at start (db/warm-pool.ts), so that PostgreSQL compiles them and
 * plans their first statements before the first burst instead of during it.
 */
export const REPLY_QUEUE_WARM_UP: readonly string[] = [
  `select claim_due_replies(0, now(), now(), '[]'::jsonb)`,
  `select settle_reply_claims('{}'::bigint[], '{}'::uuid[], null, '[]'::jsonb, 0, now(), now(), '[]'::jsonb)`,
  `select commit_reply_decision(0, null, 0, 'silent', 'warm-up', '[]'::jsonb, null, '[]'::jsonb, '[]'::jsonb, 0, false, null, false, now())`,
];

/** An outbox row the run posted, and the id Chatwoot gave the message (null: not a message). */
export interface SentEffect {
  readonly outboxId: number;
  readonly chatwootMessageId: number | null;
  readonly sentAt: Date;
}

export interface ReplyQueueOptions {
  /** A claim not refreshed for this long lapses, and another worker answers the burst (a killed worker). */
  readonly leaseMs: number;
  /**
   * A run still going after this long is no longer refreshed: its claim lapses and the burst is
   * claimed again (a run that hangs in a live worker must not hold its conversation forever; its
   * commit is refused by the claim, should it ever end). Above the pipeline's bound on a run.
   */
  readonly maxRunMs: number;
  /** First retry delay after a failed run; doubles per attempt up to `maxRetryDelayMs`. */
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
}

export const DEFAULT_REPLY_QUEUE_OPTIONS: ReplyQueueOptions = {
  leaseMs: 20_000,
  maxRunMs: MAX_RESPONDER_RUN_MS + 60_000,
  retryDelayMs: 2_000,
  maxRetryDelayMs: 60_000,
};

interface ClaimResultJson {
  readonly claims: readonly ClaimedJson[];
  readonly nextReadyAt: string | null;
  /** Due bursts left alone because a message of theirs is arriving (migration 0011). */
  readonly deferred?: ReadonlyArray<{
    readonly connection: string;
    readonly account_id: number;
    readonly chatwoot_conversation_id: number;
  }>;
}

interface ClaimedJson {
  readonly conversation: Record<string, unknown>;
  readonly hasUnsettledOutbox: boolean;
  readonly episode: ReadonlyArray<Record<string, unknown>>;
}

/**
 * The reply queue on the conversation rows (docs/decisions/2026-12-06-reply-queue-on-the-conversation.md):
 * ingress sets `reply_due_at` (the trailing debounce), a worker claims due conversations with a
 * lease it refreshes while the run lasts, and the release clears the due time unless customer
 * messages arrived during the run. One conversation has at most one claim, so at most one run.
 * The statements are the functions of migrations 0009–0011.
 */
export function createReplyQueue(
  deps: {
    readonly db: Database;
    readonly now: () => Date;
    /** Bursts still arriving in this process: claimed once their message is committed (migration 0011). */
    readonly arriving?: BurstsArriving;
  },
  options: ReplyQueueOptions = DEFAULT_REPLY_QUEUE_OPTIONS,
): JobSource<ReplyJob> {
  const { db, now } = deps;
  const deferredJson = () =>
    JSON.stringify(
      (deps.arriving?.conversations() ?? []).map((key) => ({
        connection: key.connection,
        account_id: key.accountId,
        chatwoot_conversation_id: key.chatwootConversationId,
      })),
    );

  /**
   * Ends claims (recording the posts their runs made) and, with `claimLimit` > 0, claims that many
   * due bursts in the same round trip: settle_reply_claims, migrations 0010 and 0011.
   */
  async function settle(
    unordered: readonly ReplyJob[],
    retryAt: Date | null,
    claimLimit: number,
  ): Promise<FetchedJobs<ReplyJob> & { readonly completed: number }> {
    const jobs = byConversation(unordered);
    const sent = jobs.flatMap((job) =>
      job.sent.map((effect) => ({
        id: effect.outboxId,
        chatwoot_message_id: effect.chatwootMessageId,
        sent_at: effect.sentAt.toISOString(),
      })),
    );
    const at = now();
    const [row] = await queryPreparedRows<{ result: ClaimResultJson & { released: number } }>(
      db,
      'settle_reply_claims',
      sql`select settle_reply_claims(
            ${sql.param(jobs.map((job) => job.data.conversationId))}::bigint[],
            ${sql.param(jobs.map((job) => job.claim))}::uuid[],
            ${retryAt?.toISOString() ?? null}::timestamptz,
            ${JSON.stringify(sent)}::jsonb,
            ${claimLimit}::integer,
            ${at.toISOString()}::timestamptz,
            ${new Date(at.getTime() + options.leaseMs).toISOString()}::timestamptz,
            ${deferredJson()}::jsonb) as result`,
    );
    return { completed: row!.result.released, ...claimedJobs(row!.result, at) };
  }

  function claimedJobs(result: ClaimResultJson, at: Date): FetchedJobs<ReplyJob> {
    if (result.deferred && result.deferred.length > 0)
      deps.arriving?.deferredByClaim(
        result.deferred.map((key) => ({
          connection: key.connection,
          accountId: key.account_id,
          chatwootConversationId: key.chatwoot_conversation_id,
        })),
      );
    return {
      jobs: result.claims.map((claimed) => toReplyJob(claimed, options.leaseMs, at.getTime())),
      nextReadyInMs:
        result.nextReadyAt === null ? null : new Date(result.nextReadyAt).getTime() - at.getTime(),
    };
  }

  return {
    async fetch(max) {
      const at = now();
      const [row] = await queryPreparedRows<{ result: ClaimResultJson }>(
        db,
        'claim_due_replies',
        sql`select claim_due_replies(${max}, ${at.toISOString()}::timestamptz,
              ${new Date(at.getTime() + options.leaseMs).toISOString()}::timestamptz, ${deferredJson()}::jsonb) as result`,
      );
      return claimedJobs(row!.result, at);
    },
    complete: async (jobs) => (await settle(jobs, null, 0)).completed,
    onClaimable: (wake) => deps.arriving?.onDeferredCommitted(wake),
    completeAndFetch: (jobs, max) => settle(jobs, null, max),
    fail: async (job) => {
      const delayMs = Math.min(options.retryDelayMs * 2 ** (job.attempt - 1), options.maxRetryDelayMs);
      return (await settle([job], new Date(now().getTime() + delayMs), 0)).completed;
    },
    // A reply's payload is always valid; a dropped one ends like a completed one.
    drop: async (job) => (await settle([job], null, 0)).completed,
    giveBack: async (jobs) => {
      await settle(jobs, now(), 0);
    },
    async touch(running) {
      const at = now().getTime();
      const jobs = byConversation(running.filter((job) => at - job.claimedAt < options.maxRunMs));
      if (jobs.length === 0) return new Set();
      const rows = await queryRows<{ id: number | string }>(
        db,
        sql`select refresh_reply_leases(
              ${sql.param(jobs.map((job) => job.data.conversationId))}::bigint[],
              ${sql.param(jobs.map((job) => job.claim))}::uuid[],
              ${new Date(at + options.leaseMs).toISOString()}::timestamptz) as id`,
      );
      return new Set(rows.map((row) => String(row.id)));
    },
  };
}

/**
 * Rows are locked in id order by every statement that locks several conversations (ingress, the
 * settle, the heartbeat): two of them never wait on each other in a cycle.
 */
function byConversation(jobs: readonly ReplyJob[]): ReplyJob[] {
  return [...jobs].sort((a, b) => a.data.conversationId - b.data.conversationId);
}

function toReplyJob(claimed: ClaimedJson, leaseMs: number, claimedAt: number): ReplyJob {
  const conversation = rowFromJson(conversations, claimed.conversation);
  return {
    id: String(conversation.id),
    data: { conversationId: conversation.id },
    claim: conversation.replyClaim!,
    attempt: conversation.replyAttempts,
    heartbeatMs: leaseMs,
    claimedAt,
    conversation,
    hasUnsettledOutbox: claimed.hasUnsettledOutbox,
    episode: claimed.episode.map((message) => rowFromJson(transcriptMessages, message)),
    sent: [],
  };
}
