import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

import { coerceError } from '../../errors/coerce-error.ts';
import { WebFetchError } from './web-fetch-error.ts';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export interface TransportRequest {
  readonly url: URL;
  /** Addresses already vetted by the address policy: the connection must go to one of these and nowhere else. */
  readonly addresses: readonly ResolvedAddress[];
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly maxBytes: number;
}

export interface TransportResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** One GET without redirects. The seam that lets tests replace the network. */
export type HttpTransport = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * GET over node:http/https, connecting only to the vetted addresses: the request's `lookup` hands back those
 * addresses instead of asking DNS again, so a rebinding DNS server cannot swap in a private address between the
 * check and the connection. TLS still verifies the certificate against the host name. Bodies are decompressed
 * (gzip, deflate, brotli) and capped *after* decompression, so a compression bomb stops at `maxBytes`.
 * Redirects are returned, not followed (the safe fetch vets each hop).
 */
export const nodeHttpTransport: HttpTransport = (request) =>
  new Promise<TransportResponse>((resolve, reject) => {
    const { url } = request;
    const fail = (error: WebFetchError): void => {
      reject(error);
      outgoing.destroy();
    };
    const client = url.protocol === 'https:' ? https : http;
    const outgoing = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { ...request.headers, 'accept-encoding': 'gzip, deflate, br' },
        agent: false,
        lookup: pinnedLookup(request.addresses),
        signal: request.signal,
      },
      (incoming) => {
        const declaredLength = Number(incoming.headers['content-length']);
        if (
          Number.isFinite(declaredLength) &&
          declaredLength > request.maxBytes &&
          !incoming.headers['content-encoding']
        ) {
          incoming.resume();
          fail(tooLarge(url, request.maxBytes));
          return;
        }
        let stream: Readable = incoming;
        const encoding = String(incoming.headers['content-encoding'] ?? '')
          .toLowerCase()
          .trim();
        if (encoding === 'gzip' || encoding === 'x-gzip') stream = incoming.pipe(zlib.createGunzip());
        else if (encoding === 'deflate') stream = incoming.pipe(zlib.createInflate());
        else if (encoding === 'br') stream = incoming.pipe(zlib.createBrotliDecompress());
        const chunks: Buffer[] = [];
        let received = 0;
        stream.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > request.maxBytes) {
            stream.destroy();
            incoming.destroy();
            fail(tooLarge(url, request.maxBytes));
            return;
          }
          chunks.push(chunk);
        });
        stream.on('error', (error) => fail(networkError(url, error, request.signal)));
        stream.on('end', () => {
          resolve({
            status: incoming.statusCode ?? 0,
            headers: flattenHeaders(incoming.headers),
            body: new Uint8Array(Buffer.concat(chunks)),
          });
        });
      },
    );
    outgoing.on('error', (error) => fail(networkError(url, error, request.signal)));
    outgoing.end();
  });

function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted =
      options.family === 4 || options.family === 6
        ? addresses.filter((entry) => entry.family === options.family)
        : addresses;
    const candidates = wanted.length > 0 ? wanted : addresses;
    if (options.all) {
      callback(
        null,
        candidates.map((entry) => ({ address: entry.address, family: entry.family })),
      );
      return;
    }
    const first = candidates[0];
    if (!first) callback(Object.assign(new Error('no vetted address'), { code: 'ENOTFOUND' }), '', 4);
    else callback(null, first.address, first.family);
  };
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function tooLarge(url: URL, maxBytes: number): WebFetchError {
  return new WebFetchError('too_large', {
    url: url.toString(),
    message: `the response is over ${maxBytes} bytes`,
  });
}

function networkError(url: URL, error: unknown, signal: AbortSignal): WebFetchError {
  if (signal.aborted) {
    const isTimeout = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
    return new WebFetchError(isTimeout ? 'timeout' : 'aborted', {
      url: url.toString(),
      message: isTimeout ? 'the request timed out' : 'the request was aborted',
      cause: signal.reason,
    });
  }
  const cause = coerceError(error);
  return new WebFetchError('network', {
    url: url.toString(),
    message: `request failed: ${cause.message}`,
    cause,
  });
}
