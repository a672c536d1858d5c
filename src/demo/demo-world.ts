import type { SimulatorSeed } from '../simulator/simulator-options.ts';

export const DEMO_BOT_TOKEN = 'demo-bot-access-token';
export const DEMO_BOT_SECRET = 'demo-bot-webhook-secret-0001';
export const DEMO_INBOX_ID = 3;
export const DEMO_AGENT_USER_ID = 3;

/** ACME Support: one website inbox with the agent bot, two human agents. */
export function demoWorld(): SimulatorSeed {
  return {
    accounts: [{ id: 1, name: 'ACME Support' }],
    agentBots: [
      { id: 7, accountId: 1, name: 'ACME Assistant', accessToken: DEMO_BOT_TOKEN, secret: DEMO_BOT_SECRET },
    ],
    inboxes: [
      {
        id: DEMO_INBOX_ID,
        accountId: 1,
        name: 'ACME Website',
        channel: 'Channel::WebWidget',
        agentBotId: 7,
        isBotActive: true,
      },
    ],
    users: [
      { id: DEMO_AGENT_USER_ID, name: 'Daniel Kim', email: 'daniel.kim@acme.example', accountIds: [1] },
      { id: 4, name: 'Priya Shah', email: 'priya.shah@acme.example', accountIds: [1] },
    ],
    teams: [{ id: 1, accountId: 1, name: 'Support' }],
  };
}
