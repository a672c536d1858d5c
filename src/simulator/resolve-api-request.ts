import type { ApiRoute, RouteDeps, RouteResult } from './api-route-types.ts';
import { BOT_NOT_AUTHORIZED_MESSAGE, isBotAccessible } from './bot-accessible-endpoints.ts';
import { ChatwootApiFailure, NOT_FOUND_MESSAGE } from './chatwoot-api-failure.ts';
import { conversationChildRoutes } from './conversation-child-routes.ts';
import { conversationRoutes } from './conversation-routes.ts';
import type { TokenOwner } from './create-simulator-store.ts';

/** One REST call as the simulator saw it. `status: null` means the connection was dropped. */
export interface ApiCall {
  method: string;
  path: string;
  query: string;
  tokenKind: 'bot' | 'user' | 'none';
  tokenOwnerId: number | null;
  /** Raw request body text. */
  body: string;
  status: number | null;
  fault: 'drop' | 'status' | null;
  /** Injected-clock time the request arrived. */
  at: number;
  durationMs: number;
}

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
}

const ACCOUNT_PREFIX = /^\/api\/v1\/accounts\/(\d+)(\/.*)$/;

const ROUTES: CompiledRoute[] = [...conversationRoutes, ...conversationChildRoutes].map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/:(\w+)/g, '(?<$1>[^/]+)')}/?$`),
}));

function failure(status: number, error: string): RouteResult {
  return { status, body: { error } };
}

function parseBody(rawBody: string, contentType: string): Record<string, unknown> {
  if (rawBody.trim() === '') return {};
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(rawBody));
  }
  const parsed: unknown = JSON.parse(rawBody);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

/** `ensure_current_account_helper.rb`: bots act in their account or where they serve an inbox. */
function accountAccessError(deps: RouteDeps, caller: TokenOwner, accountId: number): string | null {
  if (caller.kind === 'user') {
    return caller.user.accountIds.includes(accountId)
      ? null
      : 'You are not authorized to access this account';
  }
  if (caller.bot.accountId === accountId) return null;
  const servesInbox = [...deps.store.inboxes.values()].some(
    (inbox) => inbox.accountId === accountId && inbox.agentBotId === caller.bot.id,
  );
  return servesInbox ? null : 'Bot is not authorized to access this account';
}

/**
 * Authentication, routing, the bot whitelist and account access in Chatwoot's order, then the
 * handler. Unknown routes answer bots 401 (every account route outside the whitelist does) and
 * users 404.
 */
export function resolveApiRequest(input: {
  deps: RouteDeps;
  versionOptions: { botMayReadConversation: boolean; botMayManageLabels: boolean };
  method: string;
  url: URL;
  token: string | undefined;
  rawBody: string;
  contentType: string;
  call: ApiCall;
}): RouteResult {
  const { deps, call } = input;
  const prefix = ACCOUNT_PREFIX.exec(input.url.pathname);
  const caller = input.token ? deps.store.findTokenOwner(input.token) : undefined;
  if (caller) {
    call.tokenKind = caller.kind;
    call.tokenOwnerId = caller.kind === 'bot' ? caller.bot.id : caller.user.id;
  }
  if (!prefix) return failure(404, NOT_FOUND_MESSAGE);
  if (!caller) return failure(401, 'Invalid Access Token');
  const accountId = Number(prefix[1]);
  const subPath = prefix[2] ?? '/';
  let matched: { route: ApiRoute; params: Record<string, string> } | undefined;
  for (const { route, pattern } of ROUTES) {
    const match = route.method === input.method ? pattern.exec(subPath) : null;
    if (match) {
      matched = { route, params: { ...match.groups } };
      break;
    }
  }
  if (!matched)
    return caller.kind === 'bot' ? failure(401, BOT_NOT_AUTHORIZED_MESSAGE) : failure(404, NOT_FOUND_MESSAGE);
  if (
    caller.kind === 'bot' &&
    !isBotAccessible(matched.route.controller, matched.route.action, input.versionOptions)
  ) {
    return failure(401, BOT_NOT_AUTHORIZED_MESSAGE);
  }
  const account = deps.store.accounts.get(accountId);
  if (!account) return failure(404, NOT_FOUND_MESSAGE);
  const accessError = accountAccessError(deps, caller, accountId);
  if (accessError) return failure(401, accessError);
  let body: Record<string, unknown>;
  try {
    body = parseBody(input.rawBody, input.contentType);
  } catch {
    return failure(400, 'Invalid JSON in request body');
  }
  try {
    return matched.route.handle({
      deps,
      caller,
      account,
      params: matched.params,
      query: input.url.searchParams,
      body,
    });
  } catch (error) {
    if (error instanceof ChatwootApiFailure) return { status: error.status, body: error.body };
    return failure(500, error instanceof Error ? error.message : String(error));
  }
}
