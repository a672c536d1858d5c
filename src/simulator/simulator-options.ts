import type { InboxChannel } from './simulator-types.ts';

/** The configured world; tokens and secrets left out are generated from the seeded random. */
export interface SimulatorSeed {
  accounts: { id: number; name: string; keepPendingOnBotFailure?: boolean }[];
  agentBots: {
    id: number;
    accountId: number;
    name: string;
    accessToken?: string;
    /** `null` makes an unsigned bot; omitted generates a 24-char secret. */
    secret?: string | null;
    outgoingUrl?: string;
  }[];
  inboxes: {
    id: number;
    accountId: number;
    name: string;
    channel: InboxChannel;
    agentBotId?: number | null;
    isBotActive?: boolean;
  }[];
  users: { id: number; name: string; email: string; accessToken?: string; accountIds: number[] }[];
  teams: { id: number; accountId: number; name: string }[];
}

export interface ChatwootSimulatorOptions {
  /** Epoch milliseconds; defaults to `Date.now`. Drives every timestamp and the flood guard window. */
  now?: () => number;
  /** Seeds generated tokens, UUIDs and fault decisions. */
  seed?: number;
  host?: string;
  port?: number;
  world?: SimulatorSeed;
  /** Chatwoot's WEBHOOK_TIMEOUT (open + read), default 5000 ms. */
  webhookTimeoutMs?: number;
  /** Wait between agent-bot delivery attempts on 429/500, default 3000 ms. */
  retryDelayMs?: number;
  /** Total attempts for retryable failures, default 3. */
  maxDeliveryAttempts?: number;
  /** Deliveries in flight at once (Sidekiq threads), default 1 so events arrive in order. */
  deliveryConcurrency?: number;
  /** `false` simulates Chatwoot < 4.14.2: bots get 401 on `GET /conversations/:id`. */
  botMayReadConversation?: boolean;
  /** `false` simulates Chatwoot < 4.14.2: bots get 401 on the labels endpoints. */
  botMayManageLabels?: boolean;
  /** CONVERSATION_MESSAGE_PER_MINUTE_LIMIT, default 200. */
  messageFloodLimit?: number;
}

export type ResolvedSimulatorOptions = Required<Omit<ChatwootSimulatorOptions, 'world'>> & {
  world: SimulatorSeed;
};

/**
 * The world of the fixtures in shared/fixtures/chatwoot/webhooks: account 1 "Acme Support",
 * widget inbox 3 with the active bot 7 "Acme Assistant", agent user 3 "Daniel Kim".
 */
export function defaultSimulatorSeed(): SimulatorSeed {
  return {
    accounts: [{ id: 1, name: 'Acme Support' }],
    agentBots: [{ id: 7, accountId: 1, name: 'Acme Assistant' }],
    inboxes: [
      {
        id: 3,
        accountId: 1,
        name: 'Acme Website',
        channel: 'Channel::WebWidget',
        agentBotId: 7,
        isBotActive: true,
      },
      { id: 4, accountId: 1, name: 'Acme API', channel: 'Channel::Api', agentBotId: null },
    ],
    users: [
      { id: 3, name: 'Daniel Kim', email: 'daniel.kim@acme.example', accountIds: [1] },
      { id: 4, name: 'Priya Shah', email: 'priya.shah@acme.example', accountIds: [1] },
    ],
    teams: [{ id: 1, accountId: 1, name: 'Support' }],
  };
}

export function resolveSimulatorOptions(options: ChatwootSimulatorOptions): ResolvedSimulatorOptions {
  return {
    now: options.now ?? (() => Date.now()),
    seed: options.seed ?? 1,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    world: options.world ?? defaultSimulatorSeed(),
    webhookTimeoutMs: options.webhookTimeoutMs ?? 5000,
    retryDelayMs: options.retryDelayMs ?? 3000,
    maxDeliveryAttempts: options.maxDeliveryAttempts ?? 3,
    deliveryConcurrency: options.deliveryConcurrency ?? 1,
    botMayReadConversation: options.botMayReadConversation ?? true,
    botMayManageLabels: options.botMayManageLabels ?? true,
    messageFloodLimit: options.messageFloodLimit ?? 200,
  };
}
