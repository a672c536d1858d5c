import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type PostWebhookResult = { status: number } | { error: string };

/**
 * One delivery attempt. Chatwoot applies WEBHOOK_TIMEOUT to open and read; we approximate it with
 * one deadline for the whole exchange. A fresh connection per attempt (`agent: false`) keeps
 * simulators independent and lets `stop()` finish without lingering keep-alive sockets.
 */
export function postWebhook(input: {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<PostWebhookResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      resolve({ error: `invalid URL: ${input.url}` });
      return;
    }
    let isSettled = false;
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { ...input.headers, 'Content-Length': String(Buffer.byteLength(input.body)) },
      },
      (response) => {
        response.resume();
        response.on('end', () => finish({ status: response.statusCode ?? 0 }));
        response.on('error', (error) => finish({ error: error.message }));
      },
    );
    const onAbort = (): void => {
      request.destroy();
      finish({ error: 'cancelled' });
    };
    const timer = setTimeout(() => {
      request.destroy();
      finish({ error: `timeout after ${input.timeoutMs} ms` });
    }, input.timeoutMs);
    function finish(result: PostWebhookResult): void {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      input.signal.removeEventListener('abort', onAbort);
      resolve(result);
    }
    input.signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => finish({ error: error.message }));
    request.end(input.body);
  });
}
