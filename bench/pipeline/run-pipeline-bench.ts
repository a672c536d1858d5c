// npm run bench:pipeline — the Chatwoot simulator (this process) and the service with a
// zero-latency responder (child process) on the real PostgreSQL: N conversations at once, each a
// burst of 3 customer messages, debounce 0. Prints replies/s, latency from the last message's
// webhook to the reply reaching the simulator, Chatwoot calls and database queries per reply,
// worker RSS, and checks that every message was answered exactly once.
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { createChatwootSimulator } from '../../src/simulator/create-chatwoot-simulator.ts';
import { SERVICE_NODE_FLAGS } from '../../src/service/service-node-flags.ts';
import { defaultSimulatorSeed } from '../../src/simulator/simulator-options.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 200);
// Round 1 is the first burst after the service started (its code not yet compiled, its database
// and Chatwoot connections not yet open, PostgreSQL's backends new); the rounds after it run on a
// warm service, as a running deployment is. New conversations every round: ids continue.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SPREAD = process.env.BENCH_ORDER !== 'burst';
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 0);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = 'bench-bot-token';
const SECRET = 'bench-bot-secret-0123456789';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * CPU time (ms) of every PostgreSQL process on this machine (Linux /proc, 100 ticks/s): the
 * server is shared by the simulator-facing service and pg-boss, so its CPU per reply is part of
 * the pipeline's cost. Backends that exit during a round are not counted; the pools keep theirs.
 */
function postgresCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process exited between listing and reading
    }
  }
  return ticks * 10;
}

/** The scripted responder answers "answer to <id>,<id>,…". */
function answeredIdsOf(content: string | null): number[] {
  return (content ?? '').replace('answer to ', '').split(',').map(Number);
}

function request<T>(child: ChildProcess, type: string, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: { type: string }) => {
      if (message.type === reply) {
        child.off('message', listener);
        resolve(message as T);
      }
    };
    child.on('message', listener);
    child.send({ type });
  });
}

const admin = new pg.Client({ connectionString: SERVER_URL });
await admin.connect();
const database = `cwa_pipeline_bench_${Date.now()}`;
await admin.query(`create database ${database}`);
const databaseUrl = new URL(SERVER_URL);
databaseUrl.pathname = `/${database}`;

const seed = defaultSimulatorSeed();
seed.agentBots[0] = { ...seed.agentBots[0]!, accessToken: TOKEN, secret: SECRET };
// Chatwoot's Sidekiq delivers webhooks from many threads at once; the simulator does too here.
const sim = createChatwootSimulator({
  world: seed,
  seed: 1,
  deliveryConcurrency: 32,
  messageFloodLimit: 100_000,
});
const { baseUrl } = await sim.start();

const child = fork(path.join(ROOT, 'bench/pipeline/bench-worker.ts'), [], {
  cwd: ROOT,
  // BENCH_CPU_PROF=<dir>: write a V8 CPU profile of the service there (open it in Chrome DevTools).
  // BENCH_RUNTIME=tsx runs it through tsx; by default Node 24 runs the TypeScript itself (type
  // stripping): tsx's loader thread cost the service ~20 MB of RSS in this bench.
  execArgv: [
    ...(process.env.BENCH_RUNTIME === 'tsx' ? ['--import', 'tsx'] : []),
    // The flags users' service runs with (the bin's shebang).
    ...SERVICE_NODE_FLAGS,
    // What the launcher does before importing the entry.
    '--import',
    path.join(ROOT, 'src/runtime/preload.ts'),
    // BENCH_SERVER_NODE_ARGS: extra Node flags for the service (e.g. V8 heap sizing).
    ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
  ],
  env: {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl.toString(),
    // The service's default pool (10) unless BENCH_POOL_MAX says otherwise (20 until 2026-12-07:
    // 10 measured as fast or faster, with half the backends).
    ...(process.env.BENCH_POOL_MAX ? { DATABASE_POOL_MAX: process.env.BENCH_POOL_MAX } : {}),
    CHATWOOT_BASE_URL: baseUrl,
    CHATWOOT_API_TOKEN: TOKEN,
    CHATWOOT_WEBHOOK_SECRET: SECRET,
    CHATWOOT_RATE_LIMIT_PER_MINUTE: '100000',
    CHATWOOT_RATE_LIMIT_BURST: '10000',
    REPLY_DEBOUNCE_MS: '0',
    REPLY_MAX_WAIT_MS: '0',
    WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY ?? '50',
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
// Never hang (and hold the benchmark lock) when the service cannot start.
const ready = await new Promise<{ url: string }>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the service did not start within 60 s')), 60_000);
  child.once('exit', (code) => reject(new Error(`the service exited during start-up (code ${code})`)));
  child.once('message', (message: { url: string }) => {
    clearTimeout(timer);
    resolve(message);
  });
}).catch(async (error: unknown) => {
  child.kill('SIGKILL');
  await sim.stop();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
  throw error;
});
sim.setBotOutgoingUrl(7, `${ready.url}/webhooks/chatwoot`);

async function runRound(round: number) {
  await sim.idle();
  // BENCH_IDLE_MS: the service idles this long first, as between a support team's bursts (a
  // database pool that closes idle connections after 10 s has none left then).
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  await request(child, 'reset', 'reset-done');
  const callsAtStart = sim.apiCalls().length;
  const started = performance.now();
  const startedAt = Date.now(); // the simulator's clock
  const simulatorCpuAtStart = process.cpuUsage();
  const postgresCpuAtStart = postgresCpuMs();
  // Every conversation's first message, then the other two of each (the simulator delivers in
  // order, so a conversation's messages arrive up to the whole round apart, and with debounce 0
  // most are answered one by one). BENCH_ORDER=burst creates each conversation's three back to
  // back instead, as a customer typing three lines would: fewer replies, each answering more.
  const conversations: Array<{ conversationId: number }> = [];
  const burst = (index: number) => {
    const opened = sim.customerSays({
      inboxId: 3,
      content: `round ${round} conversation ${index}: hello`,
      newConversation: true,
    });
    conversations.push(opened);
    return opened;
  };
  const rest = (conversation: { conversationId: number }) => {
    sim.customerSays({
      inboxId: 3,
      conversationId: conversation.conversationId,
      content: 'my order is late',
    });
    sim.customerSays({ inboxId: 3, conversationId: conversation.conversationId, content: 'can you check?' });
  };
  if (SPREAD) {
    for (let index = 0; index < CONVERSATIONS; index += 1) burst(index);
    for (const conversation of conversations) rest(conversation);
  } else {
    for (let index = 0; index < CONVERSATIONS; index += 1) rest(burst(index));
  }
  // Wait until every customer message is answered (or a deadline). Replies are counted as the
  // simulator creates them (push, not polling: snapshotting every conversation every few ms cost
  // the shared CPU more than some of what is measured).
  const expected = new Map(
    conversations.map((conversation) => [
      conversation.conversationId,
      sim
        .messages(conversation.conversationId)
        .filter((message) => message.messageType === 'incoming')
        .map((message) => message.id),
    ]),
  );
  let unanswered = [...expected.values()].reduce((sum, ids) => sum + ids.length, 0);
  const seenAnswers = new Map<number, Set<number>>();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(finish, 120_000);
    const unsubscribe = sim.onMessage((message) => {
      if (message.senderType !== 'agent_bot' || message.isPrivate) return;
      const ids = expected.get(message.conversationId);
      if (!ids) return;
      const seen = seenAnswers.get(message.conversationId) ?? new Set<number>();
      seenAnswers.set(message.conversationId, seen);
      for (const id of answeredIdsOf(message.content)) {
        if (ids.includes(id) && !seen.has(id)) {
          seen.add(id);
          unanswered -= 1;
        }
      }
      if (unanswered === 0) finish();
    });
    function finish() {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
  const answeredIds = (conversationId: number) =>
    sim.botReplies(conversationId).flatMap((reply) => answeredIdsOf(reply.content));
  const elapsedSeconds = (performance.now() - started) / 1000;
  const simulatorCpu = process.cpuUsage(simulatorCpuAtStart);
  const simulatorCpuMs = Math.round((simulatorCpu.user + simulatorCpu.system) / 1000);
  const postgresCpuMsUsed = postgresCpuMs() - postgresCpuAtStart;
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // let any duplicate show up
  let duplicates = 0;
  let missing = 0;
  let replies = 0;
  const latencies: number[] = [];
  let lastCustomerWebhookMs = 0;
  for (const [conversationId, ids] of expected) {
    const answered = answeredIds(conversationId);
    replies += sim.botReplies(conversationId).length;
    duplicates += answered.length - new Set(answered).size;
    missing += ids.filter((id) => !answered.includes(id)).length;
    // Latency: the last customer message's webhook delivered → the reply answering it created.
    const lastMessageId = Math.max(...ids);
    const delivered = sim
      .deliveries({ conversationId })
      .find((delivery) => delivery.messageId === lastMessageId && delivery.event === 'message_created');
    const reply = sim
      .botReplies(conversationId)
      .find((message) => (message.content ?? '').split(/[ ,]/).includes(String(lastMessageId)));
    const attempt = delivered?.attempts.at(-1);
    if (attempt)
      lastCustomerWebhookMs = Math.max(
        lastCustomerWebhookMs,
        attempt.startedAt + attempt.durationMs - startedAt,
      );
    if (attempt && reply)
      latencies.push(Math.max(0, reply.createdAt - (attempt.startedAt + attempt.durationMs)));
  }
  const calls = sim.apiCalls().length - callsAtStart;
  const stats = await request<{
    queries: number;
    peakRssMb: number;
    cpuMs: number;
    systemCpuMs: number;
    runStarts: Array<{ conversationId: number; lastMessageId: number; at: number }>;
    loopDelayMs: { p99: number; max: number };
  }>(child, 'stats', 'stats');
  return {
    round,
    elapsedSeconds,
    replies,
    messages: [...expected.values()].reduce((sum, ids) => sum + ids.length, 0),
    duplicates,
    missing,
    latencies,
    lastCustomerWebhookMs,
    calls,
    simulatorCpuMs,
    postgresCpuMs: postgresCpuMsUsed,
    ...stats,
  };
}

const results = [];
for (let round = 1; round <= ROUNDS; round += 1) results.push(await runRound(round));

child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
await sim.stop();
// Where a reply's time goes inside the service, per reply: from its last message being recorded
// to its run reaching the responder (waiting for a claim: the conversation's previous run, a slot)
// and from there to its decision being committed (Chatwoot's ownership view, the commit).
const jobsDb = new pg.Client({ connectionString: databaseUrl.toString() });
await jobsDb.connect();
const { rows: recordedRows } = await jobsDb.query<{ key: string; ms: number }>(
  `select conversation_id || ':' || chatwoot_message_id as key, extract(epoch from received_at) * 1000 as ms
     from transcript_messages where role = 'customer'`,
);
const { rows: committedRows } = await jobsDb.query<{ key: string; ms: number }>(
  `select conversation_id || ':' || (select max(value::bigint) from jsonb_array_elements_text(answered_message_ids)) as key,
          extract(epoch from created_at) * 1000 as ms
     from reply_decisions where decision = 'replied'`,
);
const recordedAt = new Map(recordedRows.map((row) => [row.key, Number(row.ms)]));
const committedAt = new Map(committedRows.map((row) => [row.key, Number(row.ms)]));
/** Per round: last message recorded → its run starts, and run start → decision committed. */
const splits = results.map((r) => {
  const claimWaits: number[] = [];
  const runTimes: number[] = [];
  for (const run of r.runStarts) {
    const key = `${run.conversationId}:${run.lastMessageId}`;
    const recorded = recordedAt.get(key);
    const committed = committedAt.get(key);
    if (recorded !== undefined) claimWaits.push(run.at - recorded);
    if (committed !== undefined) runTimes.push(committed - run.at);
  }
  return { claimWaits, runTimes };
});
await jobsDb.end();
await admin.query(`drop database if exists ${database} with (force)`);
await admin.end();

console.log(
  `\nbench:pipeline — ${new Date().toISOString()} — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
);
console.log(
  `method: ${CONVERSATIONS} conversations at once, each a burst of 3 customer messages (${SPREAD ? 'every first message, then the rest' : 'each burst back to back: BENCH_ORDER=burst'}); debounce 0; zero-latency scripted responder;`,
);
console.log(
  `simulator (this process, 32 concurrent webhook deliveries) ⇄ service serve --role all (child process, database pool ${process.env.BENCH_POOL_MAX ?? 'default 10'}) on the real PostgreSQL.`,
);
console.log('latency = last message webhook delivered → the reply answering it created in the simulator.\n');
for (const [index, r] of results.entries()) {
  const { claimWaits, runTimes } = splits[index]!;
  console.log(
    `round ${r.round} (${r.round === 1 ? 'cold start' : 'warm'}): ${r.replies} replies in ${r.elapsedSeconds.toFixed(2)} s = ${(r.replies / r.elapsedSeconds).toFixed(0)} replies/s ` +
      `(${CONVERSATIONS} bursts: ${(CONVERSATIONS / r.elapsedSeconds).toFixed(0)} bursts/s, ${r.messages} messages: ` +
      `${(r.messages / r.elapsedSeconds).toFixed(0)} answered/s; debounce 0 may split a burst) | ` +
      `p50 ${percentile(r.latencies, 50).toFixed(0)} ms, p99 ${percentile(r.latencies, 99).toFixed(0)} ms | ` +
      `${(r.calls / r.replies).toFixed(1)} Chatwoot calls/reply, ${(r.queries / r.replies).toFixed(1)} DB queries/reply (incl. ingress and the queues) | ` +
      `worker RSS ${r.peakRssMb} MB | duplicates ${r.duplicates}, missing ${r.missing}`,
  );
  console.log(
    `  the last customer message's webhook was delivered ${r.lastCustomerWebhookMs.toFixed(0)} ms after the round began`,
  );
  console.log(
    `  in the service: last message recorded → its run starts p50 ${percentile(claimWaits, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(claimWaits, 99).toFixed(0)} ms; run start → decision committed p50 ${percentile(runTimes, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(runTimes, 99).toFixed(0)} ms; its event loop's delay p99 ${r.loopDelayMs.p99.toFixed(0)} ms, ` +
      `max ${r.loopDelayMs.max.toFixed(0)} ms (sampled every 1 ms, incl. 1 s idle after the round)`,
  );
  console.log(
    `  CPU ms/reply: service ${(r.cpuMs / r.replies).toFixed(2)} (kernel ${(r.systemCpuMs / r.replies).toFixed(2)}; incl. 1 s idle after the round), ` +
      `simulator ${(r.simulatorCpuMs / r.replies).toFixed(2)}, PostgreSQL ${(r.postgresCpuMs / r.replies).toFixed(2)}`,
  );
}
