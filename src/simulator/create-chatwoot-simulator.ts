import type { Actors } from './create-actors.ts';
import { createActors } from './create-actors.ts';
import { createApiServer } from './create-api-server.ts';
import { createBotEventEmitter } from './create-bot-event-emitter.ts';
import { createConversationCommands } from './create-conversation-commands.ts';
import { createConversationUpdater } from './create-conversation-updater.ts';
import type { FaultInjector } from './create-fault-injector.ts';
import { createFaultInjector } from './create-fault-injector.ts';
import type { Inspector } from './create-inspector.ts';
import { createInspector } from './create-inspector.ts';
import { createMessageService } from './create-message-service.ts';
import type { MessageWatch } from './create-message-watch.ts';
import { createMessageWatch } from './create-message-watch.ts';
import { createSeededRandom } from './create-seeded-random.ts';
import { createSimulatorStore } from './create-simulator-store.ts';
import { createWebhookDispatcher } from './create-webhook-dispatcher.ts';
import type { ChatwootSimulatorOptions, SimulatorSeed } from './simulator-options.ts';
import { resolveSimulatorOptions } from './simulator-options.ts';
import type {
  AccountRecord,
  AgentBotRecord,
  InboxRecord,
  TeamRecord,
  UserRecord,
} from './simulator-types.ts';

export type { ChatwootSimulatorOptions, SimulatorSeed } from './simulator-options.ts';
export type { ConversationSnapshot, MessageKind, MessageSnapshot } from './create-inspector.ts';
export type { WebhookAttempt, WebhookDelivery } from './create-webhook-dispatcher.ts';
export type { ApiCall } from './resolve-api-request.ts';
export type { FaultOutcome, FaultRule, FaultScope } from './create-fault-injector.ts';
export { defaultSimulatorSeed } from './simulator-options.ts';

export interface SimulatorWorld {
  accounts: AccountRecord[];
  inboxes: InboxRecord[];
  /** Including `accessToken` and `secret`, which the agent under test needs. */
  agentBots: AgentBotRecord[];
  users: UserRecord[];
  teams: TeamRecord[];
}

export interface ChatwootSimulator extends Actors, Inspector, MessageWatch {
  /** Listens on 127.0.0.1 (port 0 = ephemeral unless configured). */
  start(): Promise<{ baseUrl: string }>;
  /** Cancels pending webhook deliveries and closes the server. */
  stop(): Promise<void>;
  /** Resolves when no webhook delivery is queued, waiting for a retry or in flight. */
  idle(): Promise<void>;
  /** Back to the configured world: drops conversations, contacts, messages, logs and faults (keeps tokens and run-time settings). */
  reset(): void;
  readonly baseUrl: string;
  readonly faults: FaultInjector;
  world(): SimulatorWorld;
  setBotOutgoingUrl(botId: number, url: string): void;
  setInboxBot(inboxId: number, agentBotId: number | null, isActive?: boolean): void;
  setAccountSettings(accountId: number, settings: { keepPendingOnBotFailure: boolean }): void;
}

/**
 * A stateful Chatwoot over real HTTP for tests, benchmarks and `chatwoot-agent demo`.
 *
 * ```ts
 * const simulator = createChatwootSimulator({ retryDelayMs: 50 });
 * simulator.setBotOutgoingUrl(7, 'http://127.0.0.1:3000/webhooks/chatwoot');
 * const { baseUrl } = await simulator.start();          // CHATWOOT_BASE_URL
 * const bot = simulator.world().agentBots[0];            // accessToken, secret
 * const { conversationId } = simulator.customerSays({ inboxId: 3, content: 'Where is my order?' });
 * const reply = await simulator.waitForMessage((m) => m.conversationId === conversationId && m.senderType === 'agent_bot');
 * ```
 */
export function createChatwootSimulator(options: ChatwootSimulatorOptions = {}): ChatwootSimulator {
  const resolved = resolveSimulatorOptions(options);
  const { now } = resolved;
  // A private copy: run-time settings write into it so reset() keeps them.
  const world: SimulatorSeed = structuredClone(resolved.world);
  const random = createSeededRandom(resolved.seed);
  const faults = createFaultInjector((resolved.seed ^ 0x5eed_fa17) >>> 0);
  const store = createSimulatorStore({ seed: world, random, now });
  const dispatcher = createWebhookDispatcher({
    now,
    random,
    timeoutMs: resolved.webhookTimeoutMs,
    retryDelayMs: resolved.retryDelayMs,
    maxAttempts: resolved.maxDeliveryAttempts,
    concurrency: resolved.deliveryConcurrency,
    // `commands` is created below; a delivery can only fail after this function returned.
    onFinalFailure: (delivery) => {
      if (
        delivery.messageId !== null &&
        (delivery.event === 'message_created' || delivery.event === 'message_updated')
      ) {
        commands.openAfterBotFailure(delivery.messageId);
      }
    },
  });
  const emitter = createBotEventEmitter({ store, dispatcher });
  const updater = createConversationUpdater({ store, emitter, now });
  const commands = createConversationCommands({ store, updater, now });
  const messages = createMessageService({
    store,
    emitter,
    updater,
    now,
    floodLimit: resolved.messageFloodLimit,
  });
  const server = createApiServer({
    routeDeps: { store, commands, messages, now },
    faults,
    now,
    versionOptions: {
      botMayReadConversation: resolved.botMayReadConversation,
      botMayManageLabels: resolved.botMayManageLabels,
    },
  });
  const actors = createActors({ store, commands, messages, emitter, now });
  const inspector = createInspector({ store, dispatcher, calls: () => server.calls });
  let baseUrl: string | undefined;

  const mustFind = <T>(record: T | undefined, what: string): T => {
    if (record === undefined) throw new Error(`unknown ${what}`);
    return record;
  };

  return {
    ...actors,
    ...inspector,
    ...createMessageWatch(store),
    faults,
    async start() {
      baseUrl ??= await server.listen(resolved.host, resolved.port);
      return { baseUrl };
    },
    async stop() {
      dispatcher.cancelAll();
      await server.close();
      baseUrl = undefined;
    },
    idle: () => dispatcher.idle(),
    reset() {
      dispatcher.cancelAll();
      dispatcher.clearLog();
      server.calls.length = 0;
      faults.clear();
      store.reset();
    },
    get baseUrl() {
      if (baseUrl === undefined) throw new Error('simulator is not started');
      return baseUrl;
    },
    world: () =>
      structuredClone({
        accounts: [...store.accounts.values()],
        inboxes: [...store.inboxes.values()],
        agentBots: [...store.agentBots.values()],
        users: [...store.users.values()],
        teams: [...store.teams.values()],
      }),
    setBotOutgoingUrl(botId, url) {
      mustFind(store.agentBots.get(botId), `agent bot ${botId}`).outgoingUrl = url;
      mustFind(
        world.agentBots.find((bot) => bot.id === botId),
        `agent bot ${botId}`,
      ).outgoingUrl = url;
    },
    setInboxBot(inboxId, agentBotId, isActive = true) {
      const inbox = mustFind(store.inboxes.get(inboxId), `inbox ${inboxId}`);
      inbox.agentBotId = agentBotId;
      inbox.isBotActive = agentBotId !== null && isActive;
      Object.assign(
        mustFind(
          world.inboxes.find((item) => item.id === inboxId),
          `inbox ${inboxId}`,
        ),
        {
          agentBotId,
          isBotActive: isActive,
        },
      );
    },
    setAccountSettings(accountId, settings) {
      mustFind(store.accounts.get(accountId), `account ${accountId}`).keepPendingOnBotFailure =
        settings.keepPendingOnBotFailure;
      Object.assign(
        mustFind(
          world.accounts.find((item) => item.id === accountId),
          `account ${accountId}`,
        ),
        settings,
      );
    },
  };
}
