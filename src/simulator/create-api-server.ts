import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

import type { RouteDeps } from './api-route-types.ts';
import type { FaultInjector } from './create-fault-injector.ts';
import type { ApiCall } from './resolve-api-request.ts';
import { resolveApiRequest } from './resolve-api-request.ts';
import { sendFault, sendJson } from './send-response.ts';

export interface ApiServer {
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
  readonly calls: ApiCall[];
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * The simulator's REST API on node:http (raw sockets make dropped connections and exact
 * rack-attack responses easy). Faults apply first, like Rack::Attack in front of the app.
 */
export function createApiServer(deps: {
  routeDeps: RouteDeps;
  faults: FaultInjector;
  now: () => number;
  versionOptions: { botMayReadConversation: boolean; botMayManageLabels: boolean };
}): ApiServer {
  const calls: ApiCall[] = [];
  const sleepers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.add(timer);
    });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    const method = (request.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(request);
    const token = request.headers['api_access_token'];
    const call: ApiCall = {
      method,
      path: url.pathname,
      query: url.search,
      tokenKind: 'none',
      tokenOwnerId: null,
      body: rawBody,
      status: null,
      fault: null,
      at: deps.now(),
      durationMs: 0,
    };
    calls.push(call);
    const finish = (status: number | null): void => {
      call.status = status;
      call.durationMs = Math.round((performance.now() - started) * 10) / 10;
    };

    const decision = deps.faults.decide({ method, path: url.pathname });
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.outcome === 'drop') {
      call.fault = 'drop';
      finish(null);
      request.socket.destroy();
      return;
    }
    if (decision.outcome !== null) {
      call.fault = 'status';
      sendFault(response, decision.outcome);
      finish(decision.outcome);
      return;
    }
    const result = resolveApiRequest({
      deps: deps.routeDeps,
      versionOptions: deps.versionOptions,
      method,
      url,
      token: Array.isArray(token) ? token[0] : token,
      rawBody,
      contentType: request.headers['content-type'] ?? '',
      call,
    });
    sendJson(response, result.status, result.body);
    finish(result.status);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: String(error) });
    });
  });

  return {
    calls,
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${host}:${address.port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        for (const timer of sleepers) clearTimeout(timer);
        sleepers.clear();
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
