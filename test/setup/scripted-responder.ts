import type { Responder, ResponderDecision, ResponderInput } from '../../src/pipeline/responder.ts';

export interface ScriptedResponder extends Responder {
  readonly calls: ResponderInput[];
  delayMs: number;
}

/**
 * A responder for pipeline tests: replies "Re: <every new message>", hands off when a message asks
 * for a human, waits `delayMs` (abortable) to simulate model latency.
 */
export function createScriptedResponder(
  options: { delayMs?: number; decide?: (input: ResponderInput) => ResponderDecision } = {},
): ScriptedResponder {
  const calls: ResponderInput[] = [];
  const responder: ScriptedResponder = {
    calls,
    delayMs: options.delayMs ?? 0,
    async respond(input) {
      calls.push(input);
      if (responder.delayMs > 0) await abortableDelay(responder.delayMs, input.signal);
      if (options.decide) return options.decide(input);
      const texts = input.newMessages.map((message) => message.content ?? '');
      if (texts.some((text) => /\bhuman\b/i.test(text))) {
        return {
          kind: 'handoff',
          reason: 'customer_asked_for_human',
          summary: `Customer asked for a human after: ${texts.join(' | ')}`,
          customerMessage: 'Connecting you with a colleague now.',
        };
      }
      return { kind: 'reply', messages: [`Re: ${texts.join(' | ')}`], reason: 'scripted' };
    },
  };
  return responder;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });
}
