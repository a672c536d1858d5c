// npm run bench:ingress — drives the webhook endpoint with autocannon (this process) against the
// service in a child process, on the real PostgreSQL and on the embedded PGlite, and prints the
// bare-HMAC ceiling beside the full ingress. Method and figures are printed; record them in
// docs/benchmarks.md with the date and machine.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import autocannon from 'autocannon';
import pg from 'pg';

import { signWebhookBody } from '../../src/chatwoot/verify-webhook-signature.ts';
import { SERVICE_NODE_FLAGS } from '../../src/service/service-node-flags.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRET = 'bench-webhook-secret-0123456789';
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
/**
 * Bare and full alternate in this many segments (each DURATION / SEGMENTS seconds): this machine's
 * speed drifts by tens of percent within a minute, and a ratio of two runs taken one after the other
 * measured the drift as much as the ingress (one run of each gave 21 % and 31 % minutes apart).
 */
const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Which targets to run (comma-separated: server, pglite); both by default. */
const TARGETS = new Set((process.env.BENCH_TARGETS ?? 'server,pglite').split(',').map((t) => t.trim()));
const fixture = JSON.parse(
  readFileSync(path.join(ROOT, 'test/fixtures/chatwoot/webhooks/message_created.incoming.json'), 'utf8'),
);

let sequence = 0;
/** A unique message_created delivery of ~2 KB over 2,000 conversations, signed as Chatwoot signs it. */
function nextDelivery(): { body: string; headers: Record<string, string> } {
  sequence += 1;
  const messageId = 10_000_000 + sequence;
  const conversationId = 1_000 + (sequence % 2_000);
  const payload = structuredClone(fixture);
  payload.id = messageId;
  payload.conversation.id = conversationId;
  payload.conversation.messages[0].id = messageId;
  payload.conversation.messages[0].conversation_id = conversationId;
  payload.conversation.meta.sender.id = 50_000 + conversationId;
  payload.content = `Message ${sequence}: ${fixture.content}`;
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-chatwoot-delivery': randomUUID(),
      'x-chatwoot-timestamp': timestamp,
      'x-chatwoot-signature': signWebhookBody(SECRET, timestamp, body),
    },
  };
}

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  rssMb: number;
  /** requests/s of each segment, for a combined run. */
  segmentRates?: readonly number[];
  /** Every response time (ms), so that segments combine into true percentiles. */
  latencies: number[];
}

async function drive(url: string, child: ChildProcess, durationSeconds: number): Promise<Figures> {
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peakRss = Math.max(peakRss, kb / 1024);
    } catch {
      // process gone
    }
  }, 250);
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        connections: CONNECTIONS,
        duration: durationSeconds,
        requests: [
          {
            setupRequest: (request) => {
              const delivery = nextDelivery();
              return { ...request, method: 'POST', body: delivery.body, headers: delivery.headers };
            },
          },
        ],
      },
      (error, finished) => (error ? reject(error as Error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  clearInterval(sampler);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
    rssMb: Math.round(peakRss),
    latencies,
  };
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(path.join(ROOT, 'bench/ingress/bench-server.ts'), [], {
    cwd: ROOT,
    // As users run it: the bin's flags, and Node's own type stripping (BENCH_RUNTIME=tsx for tsx).
    execArgv: [
      ...(process.env.BENCH_RUNTIME === 'tsx' ? ['--import', 'tsx'] : []),
      ...SERVICE_NODE_FLAGS,
      // What the launcher does before importing the entry.
      '--import',
      path.join(ROOT, 'src/runtime/preload.ts'),
      ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      CHATWOOT_WEBHOOK_SECRET: SECRET,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, url };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function benchTarget(
  name: string,
  env: Record<string, string>,
): Promise<{ name: string; bare: Figures; full: Figures }> {
  const { child, url } = await startServer(env);
  try {
    // Warm-up: JIT, connection pools, the first conversations.
    await autocannon({
      url: `${url}/webhooks/chatwoot`,
      method: 'POST',
      connections: 10,
      duration: 2,
      requests: [{ setupRequest: (r) => ({ ...r, ...toRequest(nextDelivery()) }) }],
    });
    const bare: Figures[] = [];
    const full: Figures[] = [];
    for (let segment = 0; segment < SEGMENTS; segment += 1) {
      bare.push(await drive(`${url}/bench/bare`, child, DURATION / SEGMENTS));
      full.push(await drive(`${url}/webhooks/chatwoot`, child, DURATION / SEGMENTS));
    }
    return { name, bare: combine(bare), full: combine(full) };
  } finally {
    await stopServer(child);
  }
}

/** The segments of one endpoint as one run: requests/s over the whole time, percentiles over every response. */
function combine(segments: readonly Figures[]): Figures {
  const sum = (pick: (f: Figures) => number) => segments.reduce((total, f) => total + pick(f), 0);
  const latencies = segments.flatMap((f) => f.latencies).sort((a, b) => a - b);
  const percentile = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN);
  return {
    requestsPerSecond: sum((f) => f.requestsPerSecond) / segments.length,
    p50: percentile(0.5),
    p99: percentile(0.99),
    latencies,
    non2xx: sum((f) => f.non2xx),
    errors: sum((f) => f.errors),
    total: sum((f) => f.total),
    rssMb: Math.max(...segments.map((f) => f.rssMb)),
    segmentRates: segments.map((f) => f.requestsPerSecond),
  };
}

function toRequest(delivery: { body: string; headers: Record<string, string> }) {
  return { method: 'POST' as const, body: delivery.body, headers: delivery.headers };
}

async function withServerDatabase<T>(run: (url: string) => Promise<T>): Promise<T | null> {
  const admin = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    console.log(`real server not reachable (${(error as Error).message}); skipping that target`);
    return null;
  }
  const name = `cwa_bench_${Date.now()}`;
  await admin.query(`create database ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  try {
    return await run(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const results: Array<{ name: string; bare: Figures; full: Figures }> = [];
if (TARGETS.has('server')) {
  const serverResult = await withServerDatabase((url) =>
    benchTarget('real PostgreSQL 15', {
      DATABASE_URL: url,
      DATABASE_POOL_MAX: process.env.BENCH_POOL_MAX ?? '20',
    }),
  );
  if (serverResult) results.push(serverResult);
}
if (TARGETS.has('pglite')) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cwa-bench-'));
  try {
    results.push(await benchTarget('embedded PGlite', { DATA_DIR: dataDir }));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(
  `\nbench:ingress — ${new Date().toISOString()} — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
);
console.log(
  `method: autocannon in this process, service (serve --role web) in a child process; ${CONNECTIONS} connections, ${DURATION} s per endpoint after a 2 s warm-up,`,
);
console.log(
  `bare and full alternating in ${SEGMENTS} segments of ${DURATION / SEGMENTS} s (percentiles over every response of an endpoint);`,
);
console.log(
  'unique signed message_created deliveries (~2 KB) over 2,000 conversations; "bare" = same server, HMAC verification only.\n',
);
const header = [
  'target',
  'endpoint',
  'req/s',
  'p50 ms',
  'p99 ms',
  'non-2xx',
  'errors',
  'requests',
  'server RSS MB',
];
const rows = results
  .flatMap(
    (result) =>
      [
        [result.name, 'bare HMAC', result.bare],
        [result.name, 'full ingress', result.full],
      ] as const,
  )
  .map(([name, endpoint, f]) => [
    name,
    endpoint,
    f.requestsPerSecond.toFixed(0),
    String(f.p50),
    String(f.p99),
    String(f.non2xx),
    String(f.errors),
    String(f.total),
    String(f.rssMb),
  ]);
const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
for (const row of [header, ...rows])
  console.log(row.map((cell, index) => cell.padEnd(widths[index]!)).join('  '));
for (const result of results) {
  const share = result.full.requestsPerSecond / result.bare.requestsPerSecond;
  const perSegment = (result.full.segmentRates ?? []).map((rate, index) =>
    ((rate / (result.bare.segmentRates?.[index] ?? NaN)) * 100).toFixed(0),
  );
  console.log(
    `${result.name}: full ingress = ${(share * 100).toFixed(0)}% of the bare ceiling (segment by segment: ${perSegment.join(', ')} %)`,
  );
}
