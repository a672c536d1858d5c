import type { Database } from '../../db/database.ts';
import type { KnowledgeSearch } from '../../knowledge/knowledge-search.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { InboxSettings } from '../settings/inbox-settings-schema.ts';
import type { RunRecorder } from './run-recorder.ts';

/**
 * What every tool factory receives; frozen by the registry. It carries no credentials: tools
 * reach the outside world only through the narrow capabilities listed here.
 */
export interface AgentToolContext {
  readonly runId: string;
  readonly connection: string;
  readonly inboxId: number | null;
  /** Our conversation row id; null for `ask` from the terminal. */
  readonly conversationId: number | null;
  readonly contactId: number | null;
  readonly settings: InboxSettings;
  readonly knowledge: KnowledgeSearch;
  readonly db: Database;
  readonly logger: Logger;
  readonly recorder: RunRecorder;
}
