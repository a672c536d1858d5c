/**
 * `BOT_ACCESSIBLE_ENDPOINTS` from `app/controllers/concerns/access_token_auth_helper.rb`
 * (Chatwoot >= 4.14.2, contract §3.1). Anything else answers a bot token with 401.
 */
export const BOT_ACCESSIBLE_ENDPOINTS: Readonly<Record<string, readonly string[]>> = {
  'api/v1/accounts/conversations': [
    'show',
    'toggle_status',
    'toggle_typing_status',
    'toggle_priority',
    'create',
    'update',
    'custom_attributes',
  ],
  'api/v1/accounts/conversations/messages': ['create'],
  'api/v1/accounts/conversations/assignments': ['create'],
  'api/v1/accounts/conversations/labels': ['index', 'create'],
};

export const BOT_NOT_AUTHORIZED_MESSAGE = 'Access to this endpoint is not authorized for bots';

/** Older Chatwoot (< 4.14.2, before #14655) denied bots `show` and the labels endpoints. */
export function isBotAccessible(
  controller: string,
  action: string,
  options: { botMayReadConversation: boolean; botMayManageLabels: boolean },
): boolean {
  if (
    !options.botMayReadConversation &&
    controller === 'api/v1/accounts/conversations' &&
    action === 'show'
  ) {
    return false;
  }
  if (!options.botMayManageLabels && controller === 'api/v1/accounts/conversations/labels') return false;
  return BOT_ACCESSIBLE_ENDPOINTS[controller]?.includes(action) ?? false;
}
