import type { Executor } from '../../db/database.ts';
import type { InboxPolicy, InboxPolicyLookup } from '../../pipeline/inbox-policy.ts';
import { getEffectiveInboxSettings } from './get-effective-inbox-settings.ts';
import type { InboxSettings } from './inbox-settings-schema.ts';

/**
 * The reply pipeline's view of an inbox, read from the agent's versioned settings, so the admin
 * edits one place: enabled, the turn cap, and the handoff labels, team and default message.
 */
export function createInboxPolicyLookup(deps: { readonly db: Executor }): InboxPolicyLookup {
  return async (connection, inboxId) =>
    toInboxPolicy((await getEffectiveInboxSettings(deps, { connection, inboxId })).settings);
}

export function toInboxPolicy(settings: InboxSettings): InboxPolicy {
  return {
    enabled: settings.enabled,
    maxBotTurns: settings.limits.maxBotTurnsPerEpisode,
    handoff: {
      labels: settings.handoffActions.labels,
      teamId: settings.handoffActions.teamId,
      defaultCustomerMessage: settings.handoffActions.customerMessage || null,
    },
  };
}
