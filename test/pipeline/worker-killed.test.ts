import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { composeCore, type CoreDeps } from '../../src/compose.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import {
  createChatwootSimulator,
  defaultSimulatorSeed,
  type ChatwootSimulator,
} from '../../src/simulator/create-chatwoot-simulator.ts';
import { startService, type RunningService } from '../../src/service/start-service.ts';
import type { SpawnedService } from '../service/spawn-service.ts';
import { BOT_SECRET, BOT_TOKEN, INBOX_ID, sleep } from '../setup/build-pipeline-harness.ts';
import { countPendingWork } from '../setup/count-pending-work.ts';
import { spawnTestWorker } from '../setup/spawn-test-worker.ts';
import { createTestDatabase, isRealServer } from '../setup/test-database.ts';

/**
 * A worker process killed with SIGKILL (no shutdown, no cleanup) mid-run: its claim on the burst
 * stays with nobody refreshing it. Once the claim's lease lapses another worker claims the burst;
 * the restarted worker must then answer the burst exactly once — re-running the
 * responder when nothing was committed, and reconciling instead of re-posting when the reply was
 * already committed to the outbox and on its way to Chatwoot.
 *
 * Real PostgreSQL only: the web role runs in this process, the worker in a child process, both
 * on one database (the embedded PGlite cannot be shared by two processes).
 */
describe.runIf(isRealServer())('a worker killed with SIGKILL mid-run', () => {
  let sim: ChatwootSimulator;
  let database: DatabaseHandle;
  let core: CoreDeps;
  let web: RunningService;
  let workerEnv: Record<string, string>;
  const workers: SpawnedService[] = [];

  beforeEach(async () => {
    const world = defaultSimulatorSeed();
    world.agentBots[0] = { ...world.agentBots[0]!, accessToken: BOT_TOKEN, secret: BOT_SECRET };
    sim = createChatwootSimulator({ seed: 5, retryDelayMs: 100, world });
    const { baseUrl } = await sim.start();
    database = await createTestDatabase();
    if (database.kind !== 'postgres') throw new Error('expected the real server');
    const env = {
      DATABASE_URL: database.url,
      CHATWOOT_BASE_URL: baseUrl,
      CHATWOOT_API_TOKEN: BOT_TOKEN,
      CHATWOOT_WEBHOOK_SECRET: BOT_SECRET,
      CHATWOOT_TIMEOUT_MS: '10000',
      // Long enough that two messages sent together form one burst (one job), short enough to be quick.
      REPLY_DEBOUNCE_MS: '300',
      LOG_LEVEL: 'info',
    };
    workerEnv = env;
    // The web role in this process: receives Chatwoot's webhooks, records them, enqueues replies.
    core = await composeCore(loadConfig({ env: { ...env, HOST: '127.0.0.1', PORT: '0' } }), {
      database,
      logger: createLogger({ level: 'warn' }),
    });
    web = await startService(core, {
      role: 'web',
      handlers: {
        reply: () => Promise.resolve(),
        'conversation-signal': () => Promise.resolve(),
        'episode-summary': () => Promise.resolve(),
        'knowledge-sync': () => Promise.resolve(),
      },
    });
    sim.setBotOutgoingUrl(7, `${web.url}/webhooks/chatwoot`);
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.child.kill('SIGKILL');
        await worker.exited;
      }
    }
    await web.stop();
    await core.close();
    await sim.stop();
  });

  const startWorker = async (responderDelayMs: number) => {
    const worker = await spawnTestWorker(workerEnv, responderDelayMs);
    workers.push(worker);
    await waitFor(
      () => worker.output().includes('test worker is running'),
      60_000,
      () => `worker did not start:\n${worker.output()}`,
    );
    return worker;
  };
  const kill = async (worker: SpawnedService) => {
    worker.child.kill('SIGKILL');
    await worker.exited;
  };
  /** The reply queue's view of a conversation: claimed (a run holds it), its messages. */
  const replyStateOf = async (conversationId: number) =>
    (
      await queryRows<{ claimed: boolean; due: boolean; messages: number }>(
        core.database.db,
        sql`select c.reply_claim is not null as claimed, c.reply_due_at is not null as due,
                   (select count(*)::int from transcript_messages t where t.conversation_id = c.id) as messages
              from conversations c where c.chatwoot_conversation_id = ${conversationId}`,
      )
    )[0];
  /** Until no reply is due or claimed and Chatwoot has delivered everything. */
  const settle = async (timeoutMs: number) => {
    await waitFor(
      async () => {
        await sim.idle();
        return (await countPendingWork(core.database.db)) === 0;
      },
      timeoutMs,
      async () => `replies did not settle: ${await countPendingWork(core.database.db)} pending`,
    );
    // Anything that would still post a second reply has had time to do so.
    await sleep(1_500);
  };
  const outboxOf = async (conversationId: number) =>
    queryRows<{ kind: string; status: string; attempts: number }>(
      core.database.db,
      sql`select o.kind, o.status, o.attempts from outbound_messages o join conversations c on c.id = o.conversation_id where c.chatwoot_conversation_id = ${conversationId} order by o.id`,
    );

  it(
    'killed while the responder runs: after a restart the burst is answered exactly once, with what came meanwhile',
    { timeout: 120_000 },
    async () => {
      const first = await startWorker(4_000);
      const { conversationId } = sim.customerSays({ inboxId: INBOX_ID, content: 'where is my order?' });
      sim.customerSays({ inboxId: INBOX_ID, conversationId, content: 'it is A-1042' });
      await waitFor(
        () => first.output().includes('test responder started'),
        30_000,
        () => first.output(),
      );
      await sleep(300);
      await kill(first);
      const killedAt = Date.now();
      expect(sim.botReplies(conversationId)).toHaveLength(0);
      expect(await replyStateOf(conversationId)).toEqual({ claimed: true, due: true, messages: 2 });
      // The customer writes again while no worker is alive: the orphaned claim still holds the burst.
      sim.customerSays({ inboxId: INBOX_ID, conversationId, content: 'hello??' });
      await waitFor(
        async () => (await replyStateOf(conversationId))?.messages === 3,
        10_000,
        async () => JSON.stringify(await replyStateOf(conversationId)),
      );
      expect(await replyStateOf(conversationId)).toMatchObject({ claimed: true });

      const second = await startWorker(200);
      await waitFor(
        () => sim.botReplies(conversationId).length > 0,
        60_000,
        () => `no reply after the restart:\n${second.output()}`,
      );
      console.info(
        `worker killed mid-run: the burst was answered ${Date.now() - killedAt} ms after the kill`,
      );
      await settle(60_000);

      // One run after the restart answers everything unanswered: the killed burst and the message
      // that came meanwhile, once each.
      expect(sim.botReplies(conversationId).map((message) => message.content)).toEqual([
        'Re: where is my order? | it is A-1042 | hello??',
      ]);
      expect(await outboxOf(conversationId)).toEqual([{ kind: 'reply', status: 'sent', attempts: 1 }]);
      // The killed run left typing on; the run after the restart turned it on and off again.
      expect(
        sim
          .typingTimeline(conversationId)
          .map((event) => event.typingStatus)
          .at(-1),
      ).toBe('off');
    },
  );

  it(
    'killed while the committed reply is being posted and Chatwoot stores it: reconciled, not posted again',
    { timeout: 120_000 },
    async () => {
      const first = await startWorker(0);
      // Chatwoot takes 2.5 s to create a message: the worker dies with the POST in flight.
      sim.faults.configure({ methods: ['POST'], paths: [/\/messages$/], latencyMs: 2_500 });
      const { conversationId } = sim.customerSays({ inboxId: INBOX_ID, content: 'slow chatwoot, please' });
      await waitFor(
        () => sim.apiCalls({ method: 'POST', path: /\/messages$/ }).length > 0,
        30_000,
        () => first.output(),
      );
      await kill(first);
      sim.faults.clear();
      // Chatwoot still creates it, and its echo webhook reaches the web role.
      await sim.waitForMessage(
        (message) => message.conversationId === conversationId && message.senderType === 'agent_bot',
        { timeoutMs: 10_000 },
      );

      await startWorker(0);
      await settle(60_000);

      expect(sim.botReplies(conversationId).map((message) => message.content)).toEqual([
        'Re: slow chatwoot, please',
      ]);
      expect(sim.apiCalls({ method: 'POST', path: /\/messages$/ })).toHaveLength(1);
      expect(await outboxOf(conversationId)).toEqual([{ kind: 'reply', status: 'sent', attempts: 1 }]);
      expect(
        sim
          .typingTimeline(conversationId)
          .map((event) => event.typingStatus)
          .at(-1),
      ).toBe('off');
    },
  );

  it(
    'killed while the committed reply is being posted and Chatwoot never got it: posted once after the restart',
    { timeout: 120_000 },
    async () => {
      const first = await startWorker(0);
      // The POST hangs for 1.5 s and then the connection drops: nothing is created.
      sim.faults.configure({ methods: ['POST'], paths: [/\/messages$/], latencyMs: 1_500, dropRate: 1 });
      const { conversationId } = sim.customerSays({ inboxId: INBOX_ID, content: 'lost in transit' });
      await waitFor(
        () => sim.apiCalls({ method: 'POST', path: /\/messages$/ }).length > 0,
        30_000,
        () => first.output(),
      );
      await kill(first);
      await sleep(2_000);
      sim.faults.clear();
      expect(sim.botReplies(conversationId)).toHaveLength(0);

      await startWorker(0);
      await settle(60_000);

      expect(sim.botReplies(conversationId).map((message) => message.content)).toEqual([
        'Re: lost in transit',
      ]);
      expect(
        sim.apiCalls({ method: 'POST', path: /\/messages$/ }).map((call) => call.fault ?? call.status),
      ).toEqual(['drop', 200]);
      expect(await outboxOf(conversationId)).toEqual([{ kind: 'reply', status: 'sent', attempts: 2 }]);
    },
  );
});

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string | Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(100);
  }
  throw new Error(await describe());
}
