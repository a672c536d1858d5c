import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Decides the status (and an optional delay) per request; default 200 at once. */
  respondWith(
    decide: (webhook: ReceivedWebhook, index: number) => { status: number; delayMs?: number },
  ): void;
  events(): string[];
  close(): Promise<void>;
}

/** A stand-in for the agent's webhook endpoint that records exactly what arrived. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let decide: (webhook: ReceivedWebhook, index: number) => { status: number; delayMs?: number } = () => ({
    status: 200,
  });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const webhook: ReceivedWebhook = {
        headers: request.headers,
        rawBody,
        body: JSON.parse(rawBody) as Record<string, unknown>,
        receivedAt: Date.now(),
      };
      received.push(webhook);
      const { status, delayMs = 0 } = decide(webhook, received.length - 1);
      const timer = setTimeout(() => {
        if (response.destroyed) return;
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end('{}');
      }, delayMs);
      response.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/chatwoot`,
    received,
    respondWith(next) {
      decide = next;
    },
    events: () => received.map((webhook) => String(webhook.body.event)),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
