import type { UsageTotals } from '../audit/load-run-history.ts';
import type { InboxSettings } from '../settings/inbox-settings-schema.ts';

export interface ExhaustedBudget {
  readonly scope: 'conversation' | 'day';
  readonly metric: 'tokens' | 'cost';
  readonly used: number;
  readonly limit: number;
}

/** The first budget that `totals` reach or exceed (a limit of null is unlimited). Pure. */
export function findExhaustedBudget(
  budgets: InboxSettings['budgets'],
  totals: { readonly conversation: UsageTotals; readonly day: UsageTotals },
): ExhaustedBudget | null {
  const checks = [
    {
      scope: 'conversation',
      metric: 'tokens',
      used: totals.conversation.tokens,
      limit: budgets.perConversation.maxTokens,
    },
    {
      scope: 'conversation',
      metric: 'cost',
      used: totals.conversation.costUsd,
      limit: budgets.perConversation.maxCostUsd,
    },
    { scope: 'day', metric: 'tokens', used: totals.day.tokens, limit: budgets.perDay.maxTokens },
    { scope: 'day', metric: 'cost', used: totals.day.costUsd, limit: budgets.perDay.maxCostUsd },
  ] as const;
  for (const check of checks) {
    if (check.limit !== null && check.used >= check.limit) return { ...check, limit: check.limit };
  }
  return null;
}

export function hasAnyBudget(budgets: InboxSettings['budgets']): boolean {
  return [
    budgets.perConversation.maxTokens,
    budgets.perConversation.maxCostUsd,
    budgets.perDay.maxTokens,
    budgets.perDay.maxCostUsd,
  ].some((limit) => limit !== null);
}

export function describeBudget(budget: ExhaustedBudget): string {
  const scope = budget.scope === 'day' ? "the inbox's daily" : "this conversation's";
  const amount = (value: number) =>
    budget.metric === 'cost' ? `$${value.toFixed(4)}` : `${Math.round(value)} tokens`;
  return `${scope} ${budget.metric === 'cost' ? 'cost' : 'token'} budget is used up (${amount(budget.used)} of ${amount(budget.limit)})`;
}
