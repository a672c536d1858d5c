import type { Database } from '../db/database.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { ChatwootPort } from './chatwoot-port.ts';
import type { InboxPolicyLookup } from './inbox-policy.ts';
import { MAX_RESPONDER_RUN_MS, type Responder } from './responder.ts';
import type { RunRegistry } from './run-registry.ts';

export interface PipelineTimings {
  /** How often a running reply re-reads ownership, to abort a run another process saw taken over. */
  readonly ownershipPollMs: number;
  /** Wall-clock bound of one responder run. */
  readonly runTimeoutMs: number;
  /** After an ambiguous send, how long to wait for Chatwoot's echo before posting again. */
  readonly reconcileWindowMs: number;
  /**
   * Typing shows only once a run has lasted this long (0 = at once). A reply ready sooner is
   * posted without an indicator flickering on and off — and without two Chatwoot calls, which
   * count against the account's rate limit.
   */
  readonly typingDelayMs: number;
}

export const DEFAULT_PIPELINE_TIMINGS: PipelineTimings = {
  ownershipPollMs: 500,
  // Above the longest run an inbox may configure: the responder's own timeout must fire first.
  runTimeoutMs: MAX_RESPONDER_RUN_MS + 30_000,
  reconcileWindowMs: 15_000,
  typingDelayMs: 300,
};

export interface PipelineDeps {
  readonly db: Database;
  readonly chatwoot: (connection: string) => ChatwootPort;
  readonly responder: Responder;
  readonly runs: RunRegistry;
  readonly inboxPolicy: InboxPolicyLookup;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly timings: PipelineTimings;
}
