import { request } from 'undici';

import type { HttpMethod } from './send-chatwoot-attempt.ts';

/** What the client needs of one HTTP exchange: the status, a header and the body as text. */
export interface HttpExchange {
  readonly status: number;
  readonly text: string;
  header(name: string): string | null;
}

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly signal: AbortSignal;
}

/** Sends one request and reads the whole answer; rejects when no answer came (network, abort). */
export type ChatwootHttp = (url: string, init: HttpRequest) => Promise<HttpExchange>;

/**
 * The default: undici's `request()` on its global keep-alive pool. Node's `fetch` is built on the
 * same library, with WHATWG streams, Request and Response objects on top: measured on these
 * machines, a call through `request()` costs about a third of the CPU of one through `fetch`, and
 * `fetch` also loads its implementation on first use, stalling the event loop of a running
 * service the first time it calls Chatwoot. Redirects are not followed (neither does Chatwoot's
 * API send any; a 3xx is reported as the HTTP failure it is).
 */
export const undiciHttp: ChatwootHttp = async (url, init) => {
  const response = await request(url, {
    method: init.method,
    headers: init.headers,
    body: init.body,
    signal: init.signal,
  });
  const text = await response.body.text();
  const { headers } = response;
  return {
    status: response.statusCode,
    text,
    header: (name) => {
      const value = headers[name.toLowerCase()];
      return (Array.isArray(value) ? value[0] : value) ?? null;
    },
  };
};

/** A `fetch` given instead (tests that intercept or count calls). */
export function httpFromFetch(fetchImpl: typeof fetch): ChatwootHttp {
  return async (url, init) => {
    const response = await fetchImpl(url, init);
    const text = await response.text();
    return { status: response.status, text, header: (name) => response.headers.get(name) };
  };
}
