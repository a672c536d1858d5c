import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

import { coerceError } from '../../errors/coerce-error.ts';
import { classifyAddress } from './classify-address.ts';
import { type HttpTransport, nodeHttpTransport, type ResolvedAddress } from './node-http-transport.ts';
import { UnsafeUrlError } from './unsafe-url-error.ts';
import { WebFetchError } from './web-fetch-error.ts';

/** Resolves a host name to every address it has (like `dns.lookup` with `all: true`). */
export type HostLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface SafeFetchOptions {
  /** Allow every private/loopback/link-local destination (local development, tests). Default false. */
  readonly allowPrivateNetwork?: boolean;
  /**
   * Host names (or IP literals) allowed to be on a private network although `allowPrivateNetwork` is off — e.g. a
   * self-hosted Chatwoot at `chatwoot.internal`. Only these exact hosts; a redirect elsewhere is vetted again.
   */
  readonly privateNetworkHosts?: readonly string[];
  readonly lookup?: HostLookup;
  /** Replaces the network (tests); the default connects only to the vetted addresses. */
  readonly transport?: HttpTransport;
  /** For the whole request, redirects included. Default 15 s. */
  readonly timeoutMs?: number;
  /** Body cap after decompression. Default 10 MiB. */
  readonly maxBytes?: number;
  /** Default 5. */
  readonly maxRedirects?: number;
  readonly userAgent?: string;
}

export interface SafeFetchInit {
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface SafeResponse {
  /** The final URL, after redirects. */
  readonly url: string;
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** URLs that answered with a redirect, in order. */
  readonly redirects: readonly string[];
}

/** A GET that only reaches the public internet (unless configured otherwise). Non-2xx answers are returned. */
export type SafeFetch = (url: string | URL, init?: SafeFetchInit) => Promise<SafeResponse>;

export const DEFAULT_USER_AGENT = 'chatwoot-agent/0.1 (knowledge ingestion)';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that may follow a redirect to another origin; everything else (tokens, cookies) stays behind. */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-language', 'user-agent']);

/**
 * Builds the fetch every knowledge source goes through, so an admin-supplied URL cannot reach the agent's own
 * network (SSRF): the host is checked as a literal and after DNS resolution (every address), the connection is
 * pinned to the vetted addresses (no DNS rebinding), and redirects are followed by hand with the same checks at
 * every hop. Only http and https; credentials in URLs are refused.
 *
 * Throws `UnsafeUrlError` for refused destinations and `WebFetchError` for failures.
 */
export function createSafeFetch(options: SafeFetchOptions = {}): SafeFetch {
  const lookup = options.lookup ?? defaultLookup;
  const transport = options.transport ?? nodeHttpTransport;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const privateHosts = new Set((options.privateNetworkHosts ?? []).map(normalizeHost));

  async function vet(url: URL): Promise<ResolvedAddress[]> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UnsafeUrlError('unsupported_protocol', {
        url: url.toString(),
        message: `${url.protocol} URLs are not fetched`,
      });
    }
    if (url.username || url.password) {
      throw new UnsafeUrlError('credentials_in_url', {
        url: url.toString(),
        message: 'URLs with credentials are not fetched',
      });
    }
    const host = normalizeHost(url.hostname);
    const family = isIP(host);
    let addresses: readonly ResolvedAddress[];
    if (family === 4 || family === 6) {
      addresses = [{ address: host, family }];
    } else {
      try {
        addresses = await lookup(host);
      } catch (error) {
        throw new WebFetchError('dns', {
          url: url.toString(),
          message: `${host} did not resolve`,
          cause: coerceError(error),
        });
      }
      if (addresses.length === 0)
        throw new WebFetchError('dns', { url: url.toString(), message: `${host} has no address` });
    }
    if (!(options.allowPrivateNetwork ?? false) && !privateHosts.has(host)) {
      for (const { address } of addresses) {
        const verdict = classifyAddress(address);
        if (!verdict.isPublic) {
          throw new UnsafeUrlError('blocked_address', {
            url: url.toString(),
            message:
              family === 0
                ? `${host} resolves to ${verdict.normalized}, a ${verdict.range} address, not a public one`
                : `${host} is a ${verdict.range} address, not a public one`,
            address: verdict.normalized,
            range: verdict.range,
          });
        }
      }
    }
    return [...addresses];
  }

  return async (input, init = {}) => {
    let url = parseUrl(input);
    const signal = init.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    const originalOrigin = url.origin;
    const callerHeaders = Object.fromEntries(
      Object.entries(init.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const redirects: string[] = [];
    for (;;) {
      const addresses = await vet(url);
      const sameOrigin = url.origin === originalOrigin;
      const headers: Record<string, string> = {
        accept: '*/*',
        ...Object.fromEntries(
          Object.entries(callerHeaders).filter(([name]) => sameOrigin || CROSS_ORIGIN_HEADERS.has(name)),
        ),
        'user-agent': userAgent,
      };
      const response = await transport({ url, addresses, headers, signal, maxBytes });
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.status) || !location) {
        return {
          url: url.toString(),
          status: response.status,
          headers: response.headers,
          body: response.body,
          redirects,
        };
      }
      if (redirects.length >= maxRedirects) {
        throw new WebFetchError('too_many_redirects', {
          url: url.toString(),
          message: `more than ${maxRedirects} redirects`,
        });
      }
      redirects.push(url.toString());
      url = parseUrl(location, url);
    }
  };
}

function parseUrl(input: string | URL, base?: URL): URL {
  try {
    const url = new URL(input, base);
    url.hash = '';
    return url;
  } catch {
    throw new UnsafeUrlError('invalid_url', {
      url: String(input),
      message: `not a valid URL: ${String(input)}`,
    });
  }
}

/** `[::1]` → `::1`, `Example.COM.` → `example.com`. */
function normalizeHost(host: string): string {
  return host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

const defaultLookup: HostLookup = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));
