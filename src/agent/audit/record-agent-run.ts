import type { Executor } from '../../db/database.ts';
import { agentRuns } from '../../db/schema/agent.ts';

export type NewAgentRun = typeof agentRuns.$inferInsert;
export type AgentRunRecord = typeof agentRuns.$inferSelect;

/** Writes one run to the audit trail (`agent_runs`) and returns the stored row. */
export async function recordAgentRun(
  deps: { readonly db: Executor },
  run: NewAgentRun,
): Promise<AgentRunRecord> {
  const [row] = await deps.db.insert(agentRuns).values(run).returning();
  return row!;
}
