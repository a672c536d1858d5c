import { randomUUID } from 'node:crypto';

import { coerceError } from '../../errors/coerce-error.ts';
import type { ResponderDecision, ResponderUsage } from '../../pipeline/responder.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { AgentDeps } from '../agent-deps.ts';
import { type AgentRunRecord, recordAgentRun } from '../audit/record-agent-run.ts';
import { countUnansweredTurns, loadUsageTotals } from '../audit/load-run-history.ts';
import { resolveModelSettings } from '../models/resolve-model-settings.ts';
import { answerFromKnowledge } from '../offline/answer-from-knowledge.ts';
import { isWithinBusinessHours, startOfDayIn } from '../settings/business-hours.ts';
import { getEffectiveInboxSettings } from '../settings/get-effective-inbox-settings.ts';
import {
  DEFAULT_INBOX_SETTINGS,
  type InboxSettings,
  type SettingsVersion,
} from '../settings/inbox-settings-schema.ts';
import type { ToolRegistry } from '../tools/create-tool-registry.ts';
import { buildHandoffDecision } from './build-handoff-decision.ts';
import { findExhaustedBudget, hasAnyBudget } from './check-budgets.ts';
import { decidePreRunHandoff } from './decide-pre-run-handoff.ts';
import { runLlmTurn } from './run-llm-turn.ts';
import { type TurnOutcome, type TurnRequest, turnText } from './turn.ts';

export interface RespondOptions {
  /** `auto`: the LLM when one is configured for the inbox, else offline. `offline`: never a model. */
  readonly mode: 'auto' | 'offline';
  readonly registry: ToolRegistry;
}

export interface RespondResult {
  readonly decision: ResponderDecision;
  readonly run: AgentRunRecord;
}

/**
 * The frame around every responder run: load the inbox's settings, take the cheap decisions
 * first (disabled, customer wants a human, closed, turn cap, unanswered streak, budget), run the
 * LLM or the offline path, and record the run in `agent_runs`. Never silent on failure: an
 * unexpected error becomes an `agent_error` handoff (recorded with the error). Silence happens
 * only when the inbox is disabled or the caller aborted (a human took over).
 */
export async function respondToTurn(
  deps: AgentDeps,
  request: TurnRequest,
  options: RespondOptions,
): Promise<RespondResult> {
  const runId = deps.generateRunId?.() ?? randomUUID();
  const startedAt = request.now;
  const started = performance.now();
  const logger = deps.logger.child({
    runId,
    connection: request.connection,
    conversationId: request.conversation?.id,
    inboxId: request.inboxId,
  });

  let settings: InboxSettings = DEFAULT_INBOX_SETTINGS;
  let version: SettingsVersion = { global: 0, inbox: 0 };
  let responder: 'llm' | 'offline' | 'none' = 'none';
  let outcome: TurnOutcome;
  try {
    ({ settings, version } = await getEffectiveInboxSettings(deps, request));
    ({ outcome, responder } = await decideTurn(deps, request, { settings, runId, logger, options }));
  } catch (thrown) {
    const error = coerceError(thrown);
    logger.error({ err: error }, 'agent run failed: handing off');
    outcome = {
      decision: buildHandoffDecision({
        settings,
        reason: 'agent_error',
        summary: `The assistant hit an internal error and could not answer.\nCustomer's message: ${turnText(request).slice(0, 500)}`,
        isBusinessOpen: isWithinBusinessHours(settings.businessHours, request.now),
      }),
      passages: [],
      toolCalls: [],
      usage: null,
      isGrounded: false,
      error: error.message,
    };
  }

  const usage: ResponderUsage | undefined = outcome.usage
    ? {
        model: outcome.usage.model,
        inputTokens: outcome.usage.inputTokens,
        outputTokens: outcome.usage.outputTokens,
        costUsd: outcome.usage.costUsd,
      }
    : undefined;
  const decision = { ...outcome.decision, runId, ...(usage ? { usage } : {}) } as ResponderDecision;
  const run = await recordAgentRun(deps, {
    id: runId,
    conversationId: request.source === 'conversation' ? (request.conversation?.id ?? null) : null,
    connection: request.connection,
    inboxId: request.inboxId,
    contactId: request.conversation?.contactId ?? null,
    episode: request.conversation?.episode ?? null,
    source: request.source,
    responder,
    answeredMessageIds: request.newMessages.map((message) => message.chatwootMessageId),
    globalSettingsVersion: version.global,
    inboxSettingsVersion: version.inbox,
    passages: [...outcome.passages],
    toolCalls: [...outcome.toolCalls],
    output: outputOf(decision),
    decisionKind: decision.kind,
    decisionReason: decision.reason,
    isGrounded: outcome.isGrounded,
    provider: outcome.usage?.provider ?? null,
    model: outcome.usage?.model ?? null,
    inputTokens: outcome.usage?.inputTokens ?? 0,
    outputTokens: outcome.usage?.outputTokens ?? 0,
    costUsd: outcome.usage?.costUsd ?? 0,
    latencyMs: Math.round(performance.now() - started),
    error: outcome.error ?? null,
    startedAt,
    finishedAt: new Date(startedAt.getTime() + (performance.now() - started)),
  });
  logger.info(
    {
      decision: decision.kind,
      reason: decision.reason,
      responder,
      latencyMs: run.latencyMs,
      inputTokens: run.inputTokens,
      outputTokens: run.outputTokens,
    },
    'agent run finished',
  );
  return { decision, run };
}

interface DecideContext {
  readonly settings: InboxSettings;
  readonly runId: string;
  readonly logger: Logger;
  readonly options: RespondOptions;
}

async function decideTurn(
  deps: AgentDeps,
  request: TurnRequest,
  { settings, runId, logger, options }: DecideContext,
): Promise<{ outcome: TurnOutcome; responder: 'llm' | 'offline' | 'none' }> {
  const none = (decision: TurnOutcome['decision']) => ({
    outcome: { decision, passages: [], toolCalls: [], usage: null, isGrounded: false },
    responder: 'none' as const,
  });
  if (request.signal.aborted) return none({ kind: 'silent', reason: 'aborted' });
  if (!settings.enabled) return none({ kind: 'silent', reason: 'inbox_disabled' });

  const resolution =
    options.mode === 'offline'
      ? ({ kind: 'offline' } as const)
      : resolveModelSettings(deps.llm, settings.model);
  const isBusinessOpen = isWithinBusinessHours(settings.businessHours, request.now);
  const conversation = request.conversation;
  const unansweredTurns = conversation
    ? await countUnansweredTurns(deps, { conversationId: conversation.id, episode: conversation.episode })
    : 0;
  const usageBefore =
    resolution.kind === 'llm' && hasAnyBudget(settings.budgets)
      ? await loadUsageTotals(deps, {
          connection: request.connection,
          inboxId: request.inboxId,
          conversationId: conversation?.id ?? null,
          episode: settings.budgets.conversationScope === 'episode' ? (conversation?.episode ?? null) : null,
          dayStart: startOfDayIn(settings.businessHours.timeZone, request.now),
        })
      : null;
  const preRun = decidePreRunHandoff({
    settings,
    newMessages: request.newMessages,
    isBusinessOpen,
    botTurnsInEpisode: conversation?.botTurnsInEpisode ?? null,
    unansweredTurns,
    exhaustedBudget: usageBefore ? findExhaustedBudget(settings.budgets, usageBefore) : null,
  });
  if (preRun)
    return none(
      buildHandoffDecision({ settings, reason: preRun.reason, summary: preRun.summary, isBusinessOpen }),
    );

  if (resolution.kind === 'llm') {
    const outcome = await runLlmTurn(deps, {
      request,
      settings,
      model: resolution.settings,
      runId,
      logger,
      isBusinessOpen,
      registry: options.registry,
      usageBefore,
    });
    return { outcome, responder: 'llm' };
  }
  return {
    outcome: await answerFromKnowledge(deps, { request, settings, isBusinessOpen }),
    responder: 'offline',
  };
}

function outputOf(decision: ResponderDecision): Record<string, unknown> {
  switch (decision.kind) {
    case 'reply':
      return {
        messages: decision.messages,
        citations: decision.citations ?? [],
        actions: decision.actions ?? [],
      };
    case 'handoff':
      return {
        summary: decision.summary,
        customerMessage: decision.customerMessage ?? null,
        actions: decision.actions ?? [],
      };
    case 'silent':
      return {};
  }
}
