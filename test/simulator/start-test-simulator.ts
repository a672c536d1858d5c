import type {
  ChatwootSimulator,
  ChatwootSimulatorOptions,
} from '../../src/simulator/create-chatwoot-simulator.ts';
import { createChatwootSimulator } from '../../src/simulator/create-chatwoot-simulator.ts';
import type { WebhookReceiver } from './start-webhook-receiver.ts';
import { startWebhookReceiver } from './start-webhook-receiver.ts';

export interface TestSimulator {
  simulator: ChatwootSimulator;
  receiver: WebhookReceiver;
  baseUrl: string;
  botToken: string;
  botSecret: string;
  userToken: string;
  /** `fetch` against `/api/v1/accounts/1` + path with a token (or none) and a JSON body. */
  api(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown },
  ): Promise<{ status: number; json: unknown; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/** The default world (fixtures' account 1, inbox 3, bot 7, user 3) wired to a webhook receiver. */
export async function startTestSimulator(options: ChatwootSimulatorOptions = {}): Promise<TestSimulator> {
  const simulator = createChatwootSimulator({ retryDelayMs: 20, ...options });
  const receiver = await startWebhookReceiver();
  simulator.setBotOutgoingUrl(7, receiver.url);
  const { baseUrl } = await simulator.start();
  const world = simulator.world();
  const bot = world.agentBots.find((item) => item.id === 7)!;
  const user = world.users.find((item) => item.id === 3)!;
  return {
    simulator,
    receiver,
    baseUrl,
    botToken: bot.accessToken,
    botSecret: bot.secret!,
    userToken: user.accessToken,
    async api(method, path, { token = bot.accessToken, body } = {}) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.api_access_token = token;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(`${baseUrl}/api/v1/accounts/1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text === '' ? null : JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: response.status, json, text, headers: response.headers };
    },
    async close() {
      await simulator.stop();
      await receiver.close();
    },
  };
}
