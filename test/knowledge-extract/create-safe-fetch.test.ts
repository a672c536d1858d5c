import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { classifyAddress } from '../../src/knowledge/fetch/classify-address.ts';
import { createSafeFetch, type HostLookup } from '../../src/knowledge/fetch/create-safe-fetch.ts';
import type { HttpTransport } from '../../src/knowledge/fetch/node-http-transport.ts';
import { assertOk, responseText } from '../../src/knowledge/fetch/read-response.ts';
import { isUnsafeUrlError, UnsafeUrlError } from '../../src/knowledge/fetch/unsafe-url-error.ts';
import type { WebFetchError } from '../../src/knowledge/fetch/web-fetch-error.ts';
import { isWebFetchError } from '../../src/knowledge/fetch/web-fetch-error.ts';
import { loopbackOnlyTransport, startTestServer, type TestServer } from './fixtures/start-test-server.ts';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** A transport that records calls and never touches the network. */
function spyTransport(): { transport: HttpTransport; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    transport: (request) => {
      calls.push(request.url.toString());
      return Promise.resolve({ status: 200, headers: {}, body: new Uint8Array() });
    },
  };
}

const table =
  (entries: Record<string, string[]>): HostLookup =>
  (hostname) => {
    const addresses = entries[hostname];
    if (!addresses)
      return Promise.reject(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }),
      );
    return Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) })),
    );
  };

describe('classifyAddress', () => {
  it.each([
    ['10.1.2.3', false, 'private'],
    ['172.16.0.1', false, 'private'],
    ['192.168.1.10', false, 'private'],
    ['127.0.0.1', false, 'loopback'],
    ['::1', false, 'loopback'],
    ['169.254.169.254', false, 'linkLocal'],
    ['fe80::1', false, 'linkLocal'],
    ['fc00::1', false, 'uniqueLocal'],
    ['fd12:3456::1', false, 'uniqueLocal'],
    ['100.64.0.1', false, 'carrierGradeNat'],
    ['224.0.0.1', false, 'multicast'],
    ['ff02::1', false, 'multicast'],
    ['0.0.0.0', false, 'unspecified'],
    ['::', false, 'unspecified'],
    ['255.255.255.255', false, 'broadcast'],
    ['::ffff:127.0.0.1', false, 'loopback'],
    ['::ffff:10.0.0.1', false, 'private'],
    ['64:ff9b::a00:1', false, 'rfc6052'],
    ['not-an-address', false, 'invalid'],
    ['8.8.8.8', true, 'unicast'],
    ['2606:4700:4700::1111', true, 'unicast'],
    ['::ffff:8.8.8.8', true, 'unicast'],
  ])('%s → public %s (%s)', (address, isPublic, range) => {
    expect(classifyAddress(address)).toMatchObject({ isPublic, range });
  });
});

describe('createSafeFetch refuses unsafe destinations before connecting', () => {
  it.each([
    ['http://10.0.0.1/', '10.0.0.1'],
    ['http://127.0.0.1:8080/admin', '127.0.0.1'],
    ['http://[::1]/', '::1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://[fc00::1]/', 'fc00::1'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254'],
    ['http://[::ffff:127.0.0.1]/', '127.0.0.1'],
    ['http://[::ffff:a9fe:a9fe]/', '169.254.169.254'],
    ['http://0x7f.0.0.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://100.100.100.200/', '100.100.100.200'],
    ['http://0.0.0.0/', '0.0.0.0'],
  ])('%s', async (url, address) => {
    const spy = spyTransport();
    const error = await failure(createSafeFetch({ transport: spy.transport, lookup: table({}) })(url));
    expect(isUnsafeUrlError(error, 'blocked_address')).toBe(true);
    expect((error as UnsafeUrlError).address).toBe(address);
    expect(spy.calls).toEqual([]);
  });

  it('refuses a host name that resolves to a private address, checking every resolved address', async () => {
    const spy = spyTransport();
    const safeFetch = createSafeFetch({
      transport: spy.transport,
      lookup: table({ 'evil.example': ['127.0.0.1'], 'mixed.example': ['93.184.216.34', '10.0.0.7'] }),
    });
    const evil = await failure(safeFetch('https://evil.example/'));
    expect(evil).toBeInstanceOf(UnsafeUrlError);
    expect(evil).toMatchObject({ reason: 'blocked_address', address: '127.0.0.1', range: 'loopback' });
    expect((evil as Error).message).toBe(
      'evil.example resolves to 127.0.0.1, a loopback address, not a public one',
    );
    expect(await failure(safeFetch('https://mixed.example/'))).toMatchObject({
      reason: 'blocked_address',
      address: '10.0.0.7',
    });
    expect(spy.calls).toEqual([]);
  });

  it.each([
    ['file:///etc/passwd', 'unsupported_protocol'],
    ['ftp://example.com/file', 'unsupported_protocol'],
    ['gopher://example.com/', 'unsupported_protocol'],
    ['https://user:secret@example.com/', 'credentials_in_url'],
    ['not a url', 'invalid_url'],
  ])('refuses %s (%s)', async (url, reason) => {
    const spy = spyTransport();
    expect(
      await failure(
        createSafeFetch({ transport: spy.transport, lookup: table({ 'example.com': ['93.184.216.34'] }) })(
          url,
        ),
      ),
    ).toMatchObject({ reason });
    expect(spy.calls).toEqual([]);
  });

  it('reports a name that does not resolve as a retryable dns error', async () => {
    const error = await failure(
      createSafeFetch({ transport: spyTransport().transport, lookup: table({}) })('https://nowhere.example/'),
    );
    expect(isWebFetchError(error, 'dns')).toBe(true);
    expect((error as WebFetchError).isRetryable).toBe(true);
  });

  it('passes a public address to the transport', async () => {
    const spy = spyTransport();
    const response = await createSafeFetch({
      transport: spy.transport,
      lookup: table({ 'example.com': ['93.184.216.34'] }),
    })('https://example.com/a#frag');
    expect(response).toMatchObject({ url: 'https://example.com/a', status: 200, redirects: [] });
    expect(spy.calls).toEqual(['https://example.com/a']);
  });
});

describe('createSafeFetch against a local server', () => {
  let server: TestServer;
  const bomb = gzipSync(Buffer.alloc(2_000_000, 'a'));

  beforeAll(async () => {
    server = await startTestServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const host = request.headers.host ?? '';
      switch (url.pathname) {
        case '/hello':
          response.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' });
          response.end(Buffer.from('Olá, mundo', 'latin1'));
          return;
        case '/to-loopback-literal':
          response.writeHead(302, { location: `http://127.0.0.1:${server.port}/hello` });
          response.end();
          return;
        case '/to-internal-name':
          response.writeHead(301, { location: `http://internal.example.test:${server.port}/hello` });
          response.end();
          return;
        case '/relative':
          response.writeHead(307, { location: '/hello' });
          response.end();
          return;
        case '/to-other-origin':
          response.writeHead(302, { location: `http://other.example.test:${server.port}/echo` });
          response.end();
          return;
        case '/echo':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              host,
              token: request.headers.api_access_token ?? null,
              agent: request.headers['user-agent'],
            }),
          );
          return;
        case '/loop':
          response.writeHead(302, { location: '/loop' });
          response.end();
          return;
        case '/big':
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.end('x'.repeat(50_000));
          return;
        case '/bomb':
          response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
          response.end(bomb);
          return;
        case '/slow':
          return; // never answers
        case '/missing':
          response.writeHead(404);
          response.end('no');
          return;
        case '/unavailable':
          response.writeHead(503);
          response.end();
          return;
        default:
          response.writeHead(500);
          response.end();
      }
    });
  });

  afterAll(async () => {
    await server.close();
  });

  /** `docs.example.test` plays a public site: it resolves (only through the injected lookup) to the local server. */
  const lookup = table({
    'docs.example.test': ['127.0.0.1'],
    'other.example.test': ['127.0.0.1'],
    'internal.example.test': ['10.0.0.5'],
  });
  const publicLike = (extra: Parameters<typeof createSafeFetch>[0] = {}) =>
    createSafeFetch({
      lookup,
      transport: loopbackOnlyTransport,
      privateNetworkHosts: ['docs.example.test', 'other.example.test'],
      ...extra,
    });

  it('is refused by default', async () => {
    const error = await failure(createSafeFetch()(`${server.origin}/hello`));
    expect(isUnsafeUrlError(error, 'blocked_address')).toBe(true);
  });

  it('connects to the vetted address of a name real DNS does not know (the connection is pinned)', async () => {
    const response = await publicLike()(`http://docs.example.test:${server.port}/hello`);
    expect(response.status).toBe(200);
    expect(responseText(response)).toBe('Olá, mundo');
    expect(server.requests.at(-1)?.host).toBe(`docs.example.test:${server.port}`);
  });

  it('refuses a redirect from an allowed host to a private literal address', async () => {
    const before = server.requests.length;
    const error = await failure(publicLike()(`http://docs.example.test:${server.port}/to-loopback-literal`));
    expect(error).toMatchObject({
      reason: 'blocked_address',
      address: '127.0.0.1',
      url: `http://127.0.0.1:${server.port}/hello`,
    });
    expect(server.requests.slice(before).map((request) => request.path)).toEqual(['/to-loopback-literal']);
  });

  it('refuses a redirect to a name that resolves to a private address', async () => {
    const error = await failure(publicLike()(`http://docs.example.test:${server.port}/to-internal-name`));
    expect(error).toMatchObject({ reason: 'blocked_address', address: '10.0.0.5', range: 'private' });
  });

  it('follows safe redirects and records them', async () => {
    const response = await publicLike()(`http://docs.example.test:${server.port}/relative`);
    expect(response.url).toBe(`http://docs.example.test:${server.port}/hello`);
    expect(response.redirects).toEqual([`http://docs.example.test:${server.port}/relative`]);
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const safeFetch = publicLike({ userAgent: 'test-agent' });
    const direct = await safeFetch(`http://docs.example.test:${server.port}/echo`, {
      headers: { api_access_token: 'secret' },
    });
    expect(JSON.parse(responseText(direct))).toMatchObject({ token: 'secret', agent: 'test-agent' });
    const redirected = await safeFetch(`http://docs.example.test:${server.port}/to-other-origin`, {
      headers: { api_access_token: 'secret' },
    });
    expect(JSON.parse(responseText(redirected))).toEqual({
      host: `other.example.test:${server.port}`,
      token: null,
      agent: 'test-agent',
    });
  });

  it('stops redirect loops', async () => {
    const error = await failure(
      publicLike({ maxRedirects: 3 })(`http://docs.example.test:${server.port}/loop`),
    );
    expect(isWebFetchError(error, 'too_many_redirects')).toBe(true);
  });

  it('caps the body, after decompression too', async () => {
    expect(
      isWebFetchError(
        await failure(publicLike({ maxBytes: 10_000 })(`http://docs.example.test:${server.port}/big`)),
        'too_large',
      ),
    ).toBe(true);
    expect(
      isWebFetchError(
        await failure(publicLike({ maxBytes: 100_000 })(`http://docs.example.test:${server.port}/bomb`)),
        'too_large',
      ),
    ).toBe(true);
    const whole = await publicLike({ maxBytes: 3_000_000 })(`http://docs.example.test:${server.port}/bomb`);
    expect(whole.body.length).toBe(2_000_000);
  });

  it('times out and honours the caller signal', async () => {
    const timedOut = await failure(
      publicLike({ timeoutMs: 150 })(`http://docs.example.test:${server.port}/slow`),
    );
    expect(timedOut).toMatchObject({ kind: 'timeout', isRetryable: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await failure(
      publicLike()(`http://docs.example.test:${server.port}/slow`, { signal: controller.signal }),
    );
    expect(aborted).toMatchObject({ kind: 'aborted', isRetryable: false });
  });

  it('returns non-2xx answers; assertOk turns them into typed errors', async () => {
    const safeFetch = createSafeFetch({ allowPrivateNetwork: true });
    const missing = await safeFetch(`${server.origin}/missing`);
    expect(missing.status).toBe(404);
    expect(() => assertOk(missing)).toThrow(
      expect.objectContaining({ kind: 'http_status', status: 404, isRetryable: false }),
    );
    const unavailable = await safeFetch(`${server.origin}/unavailable`);
    expect(() => assertOk(unavailable)).toThrow(expect.objectContaining({ status: 503, isRetryable: true }));
  });

  it('allowPrivateNetwork: true permits loopback literals and private resolutions', async () => {
    const safeFetch = createSafeFetch({
      allowPrivateNetwork: true,
      lookup: table({ 'localhost.test': ['127.0.0.1'] }),
    });
    expect((await safeFetch(`${server.origin}/hello`)).status).toBe(200);
    expect((await safeFetch(`http://localhost.test:${server.port}/hello`)).status).toBe(200);
  });
});
