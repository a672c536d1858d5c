import type { CoreDeps } from './compose.ts';
import type { Responder } from './pipeline/responder.ts';

/**
 * Chooses the responder for the service. Until an agent is wired, every burst is handed to a
 * human with a note saying so — the safe behaviour: the customer is never left in silence and
 * nothing is invented.
 */
export function composeResponder(_core: CoreDeps): Responder {
  return {
    respond: () =>
      Promise.resolve({
        kind: 'handoff',
        reason: 'no_responder_configured',
        summary: 'No answering agent is configured on this chatwoot-agent instance; please take over.',
      }),
  };
}
