import { createConversationRepository } from '../db/repositories/conversation-repository.ts';
import type { ConversationRow } from '../db/repositories/conversation-repository.ts';
import { coerceError } from '../errors/coerce-error.ts';
import type { ConversationTarget } from './chatwoot-port.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import type { ResponderDecision, ResponderInput } from './responder.ts';

export type RunOutcome =
  | { readonly kind: 'decided'; readonly decision: ResponderDecision }
  | { readonly kind: 'aborted'; readonly reason: string };

/**
 * Runs the responder for one burst, bounded and abortable: typing on while it thinks (once it has
 * thought for `typingDelayMs`) and, when it was turned on, ALWAYS off afterwards (success, failure
 * or abort); a takeover seen in this process aborts at once, one seen by another process is picked
 * up by the ownership poll.
 */
export async function runResponder(
  deps: Pick<PipelineDeps, 'db' | 'chatwoot' | 'responder' | 'runs' | 'logger' | 'timings'>,
  conversation: ConversationRow,
  target: ConversationTarget,
  input: Omit<ResponderInput, 'signal'>,
): Promise<RunOutcome> {
  // Resolve the port first: if it cannot exist, nothing below (timer, registry entry) may leak.
  const port = deps.chatwoot(target.connection);
  const controller = deps.runs.begin(conversation.id);
  const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(deps.timings.runTimeoutMs)]);
  const poll = setInterval(() => {
    void stillOwned(deps, conversation).then(
      (owned) => {
        if (!owned) controller.abort(new Error('ownership_lost'));
      },
      () => undefined,
    );
  }, deps.timings.ownershipPollMs);
  /** Set once typing-on was sent; settled (never rejects) when Chatwoot answered it. */
  let typingOn: Promise<void> | undefined;
  const startTyping = () => {
    typingOn = port
      .setTyping(target, true)
      .catch((error: unknown) => deps.logger.warn({ err: coerceError(error) }, 'typing on failed'));
  };
  const typingTimer =
    deps.timings.typingDelayMs > 0 ? setTimeout(startTyping, deps.timings.typingDelayMs) : undefined;
  try {
    if (!typingTimer) {
      startTyping();
      await typingOn;
    }
    const decision = await deps.responder.respond({ ...input, signal });
    if (signal.aborted) return { kind: 'aborted', reason: abortReason(signal) };
    return { kind: 'decided', decision };
  } catch (error) {
    if (signal.aborted) return { kind: 'aborted', reason: abortReason(signal) };
    throw error;
  } finally {
    clearTimeout(typingTimer);
    clearInterval(poll);
    deps.runs.end(conversation.id, controller);
    if (typingOn) {
      // Off only after on was answered: an `on` still in flight (or being retried) must not land last.
      await typingOn;
      await port
        .setTyping(target, false)
        .catch((error: unknown) => deps.logger.error({ err: coerceError(error) }, 'typing off failed'));
    }
  }
}

async function stillOwned(deps: Pick<PipelineDeps, 'db'>, conversation: ConversationRow): Promise<boolean> {
  const fresh = await createConversationRepository(deps.db).findById(conversation.id);
  return fresh !== null && fresh.owner === 'bot' && fresh.episode === conversation.episode;
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return 'run_timeout';
  return reason instanceof Error ? reason.message : 'aborted';
}
