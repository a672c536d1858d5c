import type { SeededRandom } from './create-seeded-random.ts';
import type { SimulatorSeed } from './simulator-options.ts';
import type {
  AccountRecord,
  AgentBotRecord,
  InboxRecord,
  TeamRecord,
  UserRecord,
} from './simulator-types.ts';

export interface WorldMaps {
  accounts: Map<number, AccountRecord>;
  agentBots: Map<number, AgentBotRecord>;
  inboxes: Map<number, InboxRecord>;
  users: Map<number, UserRecord>;
  teams: Map<number, TeamRecord>;
}

/**
 * Fills the configured records from the seed. Generated tokens and secrets are remembered, so a
 * reset keeps them and an agent configured against this simulator stays valid.
 */
export function createWorldSeeder(random: SeededRandom): (world: SimulatorSeed, maps: WorldMaps) => void {
  const botTokens = new Map<number, { accessToken: string; secret: string }>();
  const userTokens = new Map<number, string>();

  return (world, maps) => {
    for (const account of world.accounts) {
      maps.accounts.set(account.id, {
        ...account,
        keepPendingOnBotFailure: account.keepPendingOnBotFailure ?? false,
      });
    }
    for (const bot of world.agentBots) {
      const generated = botTokens.get(bot.id) ?? { accessToken: random.token(24), secret: random.token(24) };
      botTokens.set(bot.id, generated);
      maps.agentBots.set(bot.id, {
        id: bot.id,
        accountId: bot.accountId,
        name: bot.name,
        accessToken: bot.accessToken ?? generated.accessToken,
        secret: bot.secret === undefined ? generated.secret : bot.secret,
        outgoingUrl: bot.outgoingUrl ?? '',
      });
    }
    for (const inbox of world.inboxes) {
      const agentBotId = inbox.agentBotId ?? null;
      maps.inboxes.set(inbox.id, {
        ...inbox,
        agentBotId,
        isBotActive: agentBotId !== null && (inbox.isBotActive ?? true),
      });
    }
    for (const user of world.users) {
      const generated = userTokens.get(user.id) ?? random.token(24);
      userTokens.set(user.id, generated);
      maps.users.set(user.id, {
        ...user,
        accountIds: [...user.accountIds],
        accessToken: user.accessToken ?? generated,
      });
    }
    for (const team of world.teams) maps.teams.set(team.id, { ...team });
  };
}
