import { and, desc, eq, gte, isNull, sql } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { agentRuns } from '../../db/schema/agent.ts';

export interface UsageTotals {
  readonly tokens: number;
  readonly costUsd: number;
}

/**
 * Recorded usage of a conversation (its current episode, or all episodes) and of an inbox since
 * `dayStart`: what the budgets are checked against before a run.
 */
export async function loadUsageTotals(
  deps: { readonly db: Executor },
  input: {
    readonly connection: string;
    readonly inboxId: number | null;
    readonly conversationId: number | null;
    readonly episode: number | null;
    readonly dayStart: Date;
  },
): Promise<{ readonly conversation: UsageTotals; readonly day: UsageTotals }> {
  const totals = {
    tokens: sql<number>`coalesce(sum(${agentRuns.inputTokens} + ${agentRuns.outputTokens}), 0)::float8`,
    costUsd: sql<number>`coalesce(sum(${agentRuns.costUsd}), 0)::float8`,
  };
  const [day] = await deps.db
    .select(totals)
    .from(agentRuns)
    .where(
      and(
        eq(agentRuns.connection, input.connection),
        input.inboxId === null ? isNull(agentRuns.inboxId) : eq(agentRuns.inboxId, input.inboxId),
        gte(agentRuns.startedAt, input.dayStart),
      ),
    );
  let conversation: UsageTotals = { tokens: 0, costUsd: 0 };
  if (input.conversationId !== null) {
    const [row] = await deps.db
      .select(totals)
      .from(agentRuns)
      .where(
        and(
          eq(agentRuns.conversationId, input.conversationId),
          input.episode === null ? undefined : eq(agentRuns.episode, input.episode),
        ),
      );
    conversation = toTotals(row);
  }
  return { conversation, day: toTotals(day) };
}

/**
 * How many of the episode's latest replies in a row had no knowledge behind them (nothing cited).
 * Silent runs are skipped; a grounded reply or a handoff ends the streak.
 */
export async function countUnansweredTurns(
  deps: { readonly db: Executor },
  input: { readonly conversationId: number; readonly episode: number },
): Promise<number> {
  const rows = await deps.db
    .select({ kind: agentRuns.decisionKind, isGrounded: agentRuns.isGrounded })
    .from(agentRuns)
    .where(and(eq(agentRuns.conversationId, input.conversationId), eq(agentRuns.episode, input.episode)))
    .orderBy(desc(agentRuns.startedAt))
    .limit(100);
  let count = 0;
  for (const row of rows) {
    if (row.kind === 'silent') continue;
    if (row.kind !== 'reply' || row.isGrounded) break;
    count += 1;
  }
  return count;
}

function toTotals(row: { tokens: number; costUsd: number } | undefined): UsageTotals {
  return { tokens: Number(row?.tokens ?? 0), costUsd: Number(row?.costUsd ?? 0) };
}
