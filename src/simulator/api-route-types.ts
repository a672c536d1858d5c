import { ChatwootApiFailure, notFound } from './chatwoot-api-failure.ts';
import type { ConversationCommands } from './create-conversation-commands.ts';
import type { MessageService } from './create-message-service.ts';
import type { SimulatorStore, TokenOwner } from './create-simulator-store.ts';
import type { AccountRecord, ConversationRecord, Performer } from './simulator-types.ts';

export interface RouteDeps {
  store: SimulatorStore;
  commands: ConversationCommands;
  messages: MessageService;
  now: () => number;
}

export interface RouteContext {
  deps: RouteDeps;
  caller: TokenOwner;
  account: AccountRecord;
  /** Named path parameters, e.g. `conversationId`. */
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

/** `body: undefined` answers with an empty body (`head :ok`). */
export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface ApiRoute {
  method: string;
  /** Path below `/api/v1/accounts/:account_id`, with `:name` parameters. */
  path: string;
  /** Rails controller path and action, as `BOT_ACCESSIBLE_ENDPOINTS` names them. */
  controller: string;
  action: string;
  handle(context: RouteContext): RouteResult;
}

export function performerOf(caller: TokenOwner): Performer {
  return caller.kind === 'bot' ? { kind: 'bot', bot: caller.bot } : { kind: 'user', user: caller.user };
}

/** Controllers find conversations by display id within the account (`find_by!(display_id:)`). */
export function requireConversation(context: RouteContext): ConversationRecord {
  const displayId = Number(context.params.conversationId);
  const conversation = Number.isInteger(displayId)
    ? context.deps.store.findConversation(context.account.id, displayId)
    : undefined;
  if (!conversation) throw notFound();
  return conversation;
}

/** `ActiveModel::Type::Boolean#cast`. */
export function castBoolean(value: unknown): boolean | null {
  if (value === undefined || value === null || value === '') return null;
  return ![false, 0, '0', 'f', 'F', 'false', 'FALSE', 'off', 'OFF'].includes(
    value as string | number | boolean,
  );
}

export function optionalString(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Rails accepts hashes as JSON objects or JSON strings. */
export function objectParam(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Falls through to the 422 below.
    }
  }
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new ChatwootApiFailure(422, 'Invalid hash parameter');
}

export function nullableInteger(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const number = Number(value);
  return Number.isInteger(number) ? number : null;
}
