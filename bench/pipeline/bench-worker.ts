// The service (`serve --role all`) with a zero-latency scripted responder, started as a child
// process by run-pipeline-bench.ts. Counts every database query this process sends (our pool and
// pg-boss's) and reports the count, its peak RSS and its CPU time over IPC.
import { monitorEventLoopDelay } from 'node:perf_hooks';

import pg from 'pg';

import { composePipeline } from '../../src/compose-service.ts';
import { composeCore } from '../../src/compose.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Responder } from '../../src/pipeline/responder.ts';
import { startService } from '../../src/service/start-service.ts';

let queries = 0;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  queries += 1;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

/** When each run reached the responder (its claim and context read), by conversation row and last message. */
const runStarts: Array<{ conversationId: number; lastMessageId: number; at: number }> = [];
const responder: Responder = {
  respond: (input) => {
    const ids = input.newMessages.map((message) => message.chatwootMessageId);
    runStarts.push({
      conversationId: input.conversation.id,
      lastMessageId: Math.max(...ids),
      at: Date.now(),
    });
    return Promise.resolve({ kind: 'reply', messages: [`answer to ${ids.join(',')}`], reason: 'bench' });
  },
};

const config = loadConfig();
const core = await composeCore(config);
const pipeline = composePipeline(core, { responder });
const service = await startService(core, { role: 'all', handlers: pipeline.handlers });
// How late the event loop runs a 1 ms timer during a round: every hop of a reply waits as long
// (CPU shared with PostgreSQL and the simulator, GC pauses, long callbacks).
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
let peakRss = process.memoryUsage.rss();
let cpuAtReset = process.cpuUsage();
// memoryUsage.rss() reads one number; memoryUsage() also walks the V8 heap spaces on every sample.
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);

process.on('message', (message: { type: string }) => {
  if (message.type === 'reset') {
    queries = 0;
    runStarts.length = 0;
    loopDelay.reset();
    cpuAtReset = process.cpuUsage();
    peakRss = process.memoryUsage.rss();
    process.send?.({ type: 'reset-done' });
  }
  if (message.type === 'stats') {
    const cpu = process.cpuUsage(cpuAtReset);
    process.send?.({
      type: 'stats',
      queries,
      peakRssMb: Math.round(peakRss / 1024 / 1024),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      systemCpuMs: Math.round(cpu.system / 1000),
      runStarts,
      loopDelayMs: {
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
    });
  }
});
process.send?.({ type: 'ready', url: service.url });
process.on('SIGTERM', () => {
  clearInterval(sampler);
  void service
    .stop()
    .then(() => core.close())
    .then(() => pipeline.close())
    .then(() => process.exit(0));
});
