import { generateText, hasToolCall, stepCountIs, type LanguageModelUsage, type SystemModelMessage } from 'ai';

import { coerceError } from '../../errors/coerce-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { AgentDeps } from '../agent-deps.ts';
import type { UsageTotals } from '../audit/load-run-history.ts';
import { EMPTY_CONTACT_MEMORY, loadContactMemory } from '../memory/load-contact-memory.ts';
import { buildRunModel } from '../models/build-run-model.ts';
import type { ResolvedModelSettings } from '../models/resolve-model-settings.ts';
import { ModelUnavailableError } from '../models/with-transient-retry.ts';
import type { InboxSettings } from '../settings/inbox-settings-schema.ts';
import type { ToolRegistry } from '../tools/create-tool-registry.ts';
import { createRunRecorder, type RunRecorder } from '../tools/run-recorder.ts';
import { renderContextPrompt, renderStaticSystemPrompt } from './agent-system-prompt.ts';
import { buildHandoffDecision } from './build-handoff-decision.ts';
import { buildTranscriptWindow } from './build-transcript-window.ts';
import { describeBudget, findExhaustedBudget } from './check-budgets.ts';
import { formatReply } from './format-reply.ts';
import { DEFAULT_PRICE_TABLE, estimateCostUsd } from './price-table.ts';
import { recordRejectedToolCalls } from './record-rejected-tool-calls.ts';
import {
  type TurnDecision,
  type TurnOutcome,
  type TurnRequest,
  type TurnUsage,
  toRunPassage,
  turnText,
} from './turn.ts';

export interface LlmTurnInput {
  readonly request: TurnRequest;
  readonly settings: InboxSettings;
  readonly model: ResolvedModelSettings;
  readonly runId: string;
  readonly logger: Logger;
  readonly isBusinessOpen: boolean;
  readonly registry: ToolRegistry;
  /** Recorded usage before this run, when a budget is set (checked again after the run). */
  readonly usageBefore: { readonly conversation: UsageTotals; readonly day: UsageTotals } | null;
}

class RunTimeoutError extends Error {
  override readonly name = 'RunTimeoutError';
}

/**
 * One bounded agent run: contact memory and passages retrieved up front go into the prompt
 * (static part first so providers can cache it), then the tool loop runs with a step cap, a
 * wall-clock limit and the caller's abort signal. Model failures that outlast the retries become
 * an `llm_unavailable` handoff; the caller aborting (a human took over) becomes `silent`.
 */
export async function runLlmTurn(
  deps: Pick<AgentDeps, 'db' | 'knowledge' | 'llm' | 'prices' | 'createModel' | 'fetch' | 'retry' | 'sleep'>,
  input: LlmTurnInput,
): Promise<TurnOutcome> {
  const { request, settings, logger } = input;
  const recorder = createRunRecorder();
  const contactId = request.conversation?.contactId ?? null;
  const memory =
    contactId !== null && settings.memory.enabled
      ? await loadContactMemory(deps, {
          contactId,
          maxFacts: settings.memory.maxFacts,
          maxSummaries: settings.memory.summariesInPrompt,
        })
      : EMPTY_CONTACT_MEMORY;
  await retrieveUpFront(deps, input, recorder);

  const tools = input.registry.createTools({
    runId: input.runId,
    connection: request.connection,
    inboxId: request.inboxId,
    conversationId: request.conversation?.id ?? null,
    contactId,
    settings,
    knowledge: deps.knowledge,
    db: deps.db,
    logger,
    recorder,
  });
  const instructions: SystemModelMessage[] = [
    {
      role: 'system',
      content: renderStaticSystemPrompt(settings, Object.keys(tools)),
      // Explicit cache breakpoint for Anthropic; OpenAI caches the identical prefix on its own.
      providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } },
    },
    {
      role: 'system',
      content: renderContextPrompt({
        now: request.now,
        timeZone: settings.businessHours.timeZone,
        isBusinessOpen: input.isBusinessOpen,
        businessHoursEnabled: settings.businessHours.enabled,
        memory,
        passages: recorder.passages(),
      }),
    },
  ];
  const messages = buildTranscriptWindow(
    request.transcript,
    request.newMessages,
    settings.limits.transcriptTokens,
  );

  const model = buildRunModel(deps, input.model, logger);

  const runTimeout = new AbortController();
  const timer = setTimeout(
    () => runTimeout.abort(new RunTimeoutError(`run exceeded ${settings.limits.runTimeoutMs} ms`)),
    settings.limits.runTimeoutMs,
  );
  const usage = { input: 0, output: 0, cached: 0 };
  const addUsage = (step: LanguageModelUsage) => {
    usage.input += step.inputTokens ?? 0;
    usage.output += step.outputTokens ?? 0;
    usage.cached += step.inputTokenDetails.cacheReadTokens ?? 0;
  };
  const usageSoFar = (): TurnUsage => ({
    provider: input.model.provider,
    model: input.model.modelId,
    inputTokens: usage.input,
    outputTokens: usage.output,
    cachedInputTokens: usage.cached,
    costUsd: estimateCostUsd(deps.prices ?? DEFAULT_PRICE_TABLE, input.model.modelId, {
      inputTokens: usage.input,
      outputTokens: usage.output,
      cachedInputTokens: usage.cached,
    }),
  });
  const outcome = (
    decision: TurnDecision,
    extra: { isGrounded?: boolean; error?: string } = {},
  ): TurnOutcome => ({
    decision,
    passages: recorder.passages().map((entry) => toRunPassage(entry)),
    toolCalls: recorder.toolCalls(),
    usage: usageSoFar(),
    isGrounded: extra.isGrounded ?? false,
    ...(extra.error ? { error: extra.error } : {}),
  });

  let text: string;
  let finishReason: string;
  let stepCount: number;
  try {
    const result = await generateText({
      model,
      instructions,
      messages,
      tools,
      stopWhen: [stepCountIs(settings.limits.maxSteps), hasToolCall('handoff_to_human')],
      maxRetries: 0,
      abortSignal: AbortSignal.any([request.signal, runTimeout.signal]),
      temperature: input.model.temperature,
      maxOutputTokens: input.model.maxOutputTokens,
      onStepEnd: (step) => addUsage(step.usage),
    });
    recordRejectedToolCalls(result.steps, recorder);
    text = result.text;
    finishReason = result.finishReason;
    stepCount = result.steps.length;
  } catch (thrown) {
    const error = coerceError(thrown);
    // The caller's own deadline counts as a timeout; any other abort means a human took over.
    const timedOut =
      runTimeout.signal.aborted || (request.signal.aborted && isTimeoutReason(request.signal.reason));
    if (request.signal.aborted && !timedOut) {
      return outcome({ kind: 'silent', reason: 'aborted' }, { error: `aborted: ${error.message}` });
    }
    if (timedOut || hasCause(error, ModelUnavailableError)) {
      logger.warn({ err: error }, 'model unavailable: handing off');
      const summary = `The AI model could not answer (${timedOut ? 'the run timed out' : error.message}).\nCustomer's message: ${turnText(request).slice(0, 500)}`;
      return outcome(
        buildHandoffDecision({
          settings,
          reason: 'llm_unavailable',
          summary,
          isBusinessOpen: input.isBusinessOpen,
        }),
        {
          error: error.message,
        },
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }

  const handoff = recorder.handoff();
  if (handoff) {
    return outcome(
      buildHandoffDecision({
        settings,
        reason: handoff.reason,
        summary: handoff.summary,
        modelMessage: handoff.customerMessage,
        isBusinessOpen: input.isBusinessOpen,
        actions: recorder.actions(),
      }),
    );
  }

  const reply = formatReply(text, recorder.passages(), settings.replyStyle, settings.citations);
  if (reply.messages.length === 0) {
    const summary = `The assistant produced no answer (finish: ${finishReason}, after ${stepCount} step(s)).\nCustomer's message: ${turnText(request).slice(0, 500)}`;
    return outcome(
      buildHandoffDecision({
        settings,
        reason: 'no_answer',
        summary,
        isBusinessOpen: input.isBusinessOpen,
        actions: recorder.actions(),
      }),
    );
  }

  if (input.usageBefore) {
    const thisRun = usageSoFar();
    const exhausted = findExhaustedBudget(settings.budgets, {
      conversation: addTotals(input.usageBefore.conversation, thisRun),
      day: addTotals(input.usageBefore.day, thisRun),
    });
    if (exhausted) {
      const summary = `The AI usage limit was reached during this reply: ${describeBudget(exhausted)}.\nDraft answer (not sent):\n${reply.messages.join('\n\n')}`;
      return outcome(
        buildHandoffDecision({
          settings,
          reason: 'usage_limit',
          summary,
          isBusinessOpen: input.isBusinessOpen,
          actions: recorder.actions(),
        }),
      );
    }
  }

  const actions = recorder.actions();
  return outcome(
    {
      kind: 'reply',
      messages: reply.messages,
      citations: reply.citations,
      reason: reply.citedNumbers.length > 0 ? 'answered_from_knowledge' : 'answered',
      ...(actions.length > 0 ? { actions } : {}),
    },
    { isGrounded: reply.citedNumbers.length > 0 },
  );
}

async function retrieveUpFront(
  deps: Pick<AgentDeps, 'knowledge'>,
  input: LlmTurnInput,
  recorder: RunRecorder,
): Promise<void> {
  const query = turnText(input.request);
  const limit = input.settings.limits.passagesInPrompt;
  if (!query || limit === 0) return;
  try {
    const found = await deps.knowledge.search(
      { query: query.slice(-1_000), inboxId: input.request.inboxId ?? undefined, limit },
      input.request.signal,
    );
    recorder.addPassages(found);
  } catch (error) {
    // The model can still search with the tool, or hand off; a failed lookup is not fatal.
    input.logger.warn({ err: coerceError(error) }, 'knowledge retrieval failed before the run');
  }
}

function addTotals(totals: UsageTotals, run: TurnUsage): UsageTotals {
  return {
    tokens: totals.tokens + run.inputTokens + run.outputTokens,
    costUsd: totals.costUsd + run.costUsd,
  };
}

function isTimeoutReason(reason: unknown): boolean {
  return (reason instanceof Error || reason instanceof DOMException) && reason.name === 'TimeoutError';
}

function hasCause(error: unknown, type: new (...args: never[]) => Error): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth += 1) {
    if (current instanceof type) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
