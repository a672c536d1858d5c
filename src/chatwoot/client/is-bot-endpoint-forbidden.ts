import { ChatwootApiError } from './chatwoot-api-error.ts';

/**
 * Chatwoot answers 401 `{"error":"Access to this endpoint is not authorized for bots"}` when a bot
 * token calls an endpoint outside `BOT_ACCESSIBLE_ENDPOINTS`; before 4.14.2 that includes GET
 * conversation and labels. Other 401s (a wrong token, "Bot is not authorized to access this
 * account") are configuration errors and must not be mistaken for an old Chatwoot.
 */
export function isBotEndpointForbidden(error: unknown): boolean {
  return (
    error instanceof ChatwootApiError &&
    error.kind === 'http' &&
    error.status === 401 &&
    /endpoint is not authorized for bots/i.test(error.body ?? '')
  );
}
