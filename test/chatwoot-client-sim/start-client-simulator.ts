import type { ChatwootClientPolicy } from '../../src/chatwoot/client/chatwoot-client-policy.ts';
import type { ChatwootRateLimiter } from '../../src/chatwoot/client/create-chatwoot-rate-limiter.ts';
import {
  createChatwootSimulator,
  defaultSimulatorSeed,
  type ChatwootSimulator,
} from '../../src/simulator/create-chatwoot-simulator.ts';
import { BOT_TOKEN, buildTestClient, type TestClient } from '../chatwoot-client/build-test-client.ts';

export const ACCOUNT_1_INBOX = 3;
export const ACCOUNT_2_INBOX = 5;

export interface ClientSimulator {
  sim: ChatwootSimulator;
  /** A client with the bot's token, pointed at the simulator. */
  client(options?: {
    policy?: Partial<ChatwootClientPolicy>;
    limiter?: ChatwootRateLimiter;
    token?: string;
    isRealSleep?: boolean;
  }): TestClient;
  close(): Promise<void>;
}

/**
 * The simulator's default world plus a second account (2) whose inbox 5 is served by the same
 * bot 7, so one bot token reaches two accounts — what per-account rate limits and circuit
 * breakers are about. The bot's token is the one `buildTestClient` sends.
 */
export async function startClientSimulator(): Promise<ClientSimulator> {
  const world = defaultSimulatorSeed();
  // Account 3 exists but no inbox of it is served by bot 7: the bot gets 401 there.
  world.accounts.push({ id: 2, name: 'Beta Support' }, { id: 3, name: 'Gamma Support' });
  world.inboxes.push({
    id: ACCOUNT_2_INBOX,
    accountId: 2,
    name: 'Beta Website',
    channel: 'Channel::WebWidget',
    agentBotId: 7,
    isBotActive: true,
  });
  world.agentBots[0] = { ...world.agentBots[0]!, accessToken: BOT_TOKEN, outgoingUrl: '' };
  const sim = createChatwootSimulator({ seed: 11, world });
  const { baseUrl } = await sim.start();
  return {
    sim,
    client: (options = {}) => {
      // FAST_POLICY's 300 ms attempt timeout can fire on a loaded machine and add a retry the
      // assertions would count; tests that want a timeout set one.
      const policy = { timeoutMs: 5_000, ...options.policy };
      const built = buildTestClient({
        baseUrl,
        policy,
        ...(options.limiter ? { limiter: options.limiter } : {}),
        ...(options.isRealSleep ? { isRealSleep: true } : {}),
      });
      if (options.token === undefined) return built;
      // A client with another token: same helper, the token swapped in the fetch.
      const token = options.token;
      return buildTestClient({
        baseUrl,
        policy,
        fetch: (input, init) => {
          const headers = new Headers(init?.headers);
          headers.set('api_access_token', token);
          return fetch(input, { ...init, headers });
        },
      });
    },
    close: () => sim.stop(),
  };
}
