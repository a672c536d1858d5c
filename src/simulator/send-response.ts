import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

/** `body: undefined` sends an empty 200 like Rails' `head :ok`. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    response.writeHead(status, { 'Content-Length': '0' });
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/**
 * Injected failures. 429 is rack-attack's default responder exactly as Chatwoot leaves it:
 * `text/plain`, "Retry later\n", no Retry-After (contract §4).
 */
export function sendFault(response: ServerResponse, status: number): void {
  if (status === 429) {
    response.writeHead(429, { 'Content-Type': 'text/plain', 'Content-Length': '12' });
    response.end('Retry later\n');
    return;
  }
  if (status === 500) {
    sendJson(response, 500, { status: 500, error: 'Internal Server Error' });
    return;
  }
  sendJson(response, status, { error: STATUS_CODES[status] ?? 'Error' });
}
