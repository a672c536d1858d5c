import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the fault server does with one request. */
export type Fault =
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Reads the request, then destroys the socket without answering: the request reached the server. */
  | { drop: true }
  /** Never answers (until the server closes). */
  | { hang: true };

export interface RecordedRequest {
  method: string;
  /** Path and query string. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body was JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
  receivedAt: number;
}

export interface FaultServer {
  url: string;
  requests: RecordedRequest[];
  /** Answers the next requests with these faults, in order; afterwards `fallback` answers. */
  enqueue(...faults: Fault[]): void;
  /** Decides every request not covered by the queue (default: 200 `{}`). */
  setFallback(decide: (request: RecordedRequest) => Fault): void;
  close(): Promise<void>;
}

/**
 * A tiny scripted HTTP server for client behaviour tests: each request gets the next queued
 * fault (an answer, a dropped connection or silence) and is recorded for assertions.
 */
export async function startFaultServer(): Promise<FaultServer> {
  const queue: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let fallback: (request: RecordedRequest) => Fault = () => ({ status: 200, body: {} });

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        headers: incoming.headers,
        body: parseBody(text),
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      const fault = queue.shift() ?? fallback(recorded);
      if ('drop' in fault) {
        incoming.socket.destroy();
        return;
      }
      if ('hang' in fault) return;
      const answer = () => {
        const isText = typeof fault.body === 'string';
        const payload =
          fault.body === undefined ? '' : isText ? (fault.body as string) : JSON.stringify(fault.body);
        response.writeHead(fault.status, {
          'content-type': isText ? 'text/plain' : 'application/json; charset=utf-8',
          ...fault.headers,
        });
        response.end(payload);
      };
      if (fault.delayMs) setTimeout(answer, fault.delayMs);
      else answer();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...faults) => queue.push(...faults),
    setFallback: (decide) => {
      fallback = decide;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A URL on which nothing listens: connecting is refused, so nothing is ever sent. */
export async function reserveClosedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
