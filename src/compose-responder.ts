import { createAgentResponder } from './agent/create-agent-responder.ts';
import type { AgentDeps } from './agent/agent-deps.ts';
import { DEFAULT_PRICE_TABLE } from './agent/run/price-table.ts';
import type { CoreDeps } from './compose.ts';
import { composePipeline, type ComposedPipeline } from './compose-service.ts';
import { createInboxPolicyLookup } from './agent/settings/create-inbox-policy-lookup.ts';
import { createEmbedderFromConfig } from './knowledge/embed/create-embedder-from-config.ts';
import { createKnowledgeSearch } from './knowledge/search/create-knowledge-search.ts';
import { createSafeFetch } from './knowledge/fetch/create-safe-fetch.ts';
import { syncDueSources } from './knowledge/sources/sync-due-sources.ts';
import type { Responder } from './pipeline/responder.ts';
import type { TaskPayloads } from './jobs/task-list.ts';
import { summarizeEpisode } from './agent/memory/summarize-episode.ts';
import { createConversationRepository } from './db/repositories/conversation-repository.ts';

export interface ComposedAgent {
  readonly agentDeps: AgentDeps;
  readonly responder: Responder;
  /** The `episode-summary` job: a resolved episode becomes part of the contact's memory. */
  readonly summarizeEpisode: (payload: TaskPayloads['episode-summary']) => Promise<void>;
  /** The `knowledge-sync` job: scheduled re-sync of knowledge sources. */
  readonly syncDueSources: () => Promise<void>;
}

/**
 * The agent behind the pipeline: the knowledge base's hybrid search (full text alone when no
 * embedding provider is configured), the configured model — or the offline responder when
 * `LLM_PROVIDER` resolves to `none` — and the audit trail.
 */
export function composeAgent(core: CoreDeps): ComposedAgent {
  const embedder = createEmbedderFromConfig(core.config.embedding);
  const knowledge = createKnowledgeSearch({
    db: core.database.db,
    logger: core.logger,
    ...(embedder ? { embedder } : {}),
  });
  const agentDeps: AgentDeps = {
    db: core.database.db,
    logger: core.logger,
    llm: core.config.llm,
    knowledge,
    now: core.now,
    // The deployment's prices win over the built-in list prices, model by model.
    prices: { ...DEFAULT_PRICE_TABLE, ...core.config.llm.prices },
  };
  return {
    agentDeps,
    responder: createAgentResponder(agentDeps),
    summarizeEpisode: async ({ conversationId, episode }) => {
      const conversation = await createConversationRepository(core.database.db).findById(conversationId);
      if (!conversation) return;
      const result = await summarizeEpisode(agentDeps, {
        id: conversation.id,
        connection: conversation.connection,
        inboxId: conversation.inboxId,
        contactId: conversation.contactId,
        episode,
      });
      core.logger.info(
        { conversationId, episode, stored: result.stored },
        'episode summarised into contact memory',
      );
    },
    syncDueSources: async () => {
      const userToken = core.config.connections.find(
        (connection) => connection.name === 'default',
      )?.userToken;
      await syncDueSources(
        {
          db: core.database.db,
          logger: core.logger,
          ...(embedder ? { embedder } : {}),
          fetch: createSafeFetch({ allowPrivateNetwork: core.config.network.allowPrivate }),
          ...(userToken ? { chatwootUserToken: userToken } : {}),
        },
        core.now(),
      );
    },
  };
}

/**
 * The reply pipeline as `serve` and the demo run it: the agent answers, each inbox's policy comes
 * from its versioned settings, resolved episodes feed the contacts' memory, and due knowledge
 * sources are re-synced.
 */
export function composeAgentPipeline(core: CoreDeps): ComposedPipeline {
  const agent = composeAgent(core);
  return composePipeline(core, {
    responder: agent.responder,
    inboxPolicy: createInboxPolicyLookup({ db: core.database.db }),
    summarizeEpisode: agent.summarizeEpisode,
    syncDueSources: agent.syncDueSources,
  });
}
