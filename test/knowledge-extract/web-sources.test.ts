import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSafeFetch } from '../../src/knowledge/fetch/create-safe-fetch.ts';
import { crawlSite, type CrawlProgress } from '../../src/knowledge/fetch/crawl-site.ts';
import { extractLinks } from '../../src/knowledge/fetch/extract-links.ts';
import { fetchPage } from '../../src/knowledge/fetch/fetch-page.ts';
import { fetchSitemap } from '../../src/knowledge/fetch/fetch-sitemap.ts';
import { parseSitemap } from '../../src/knowledge/fetch/parse-sitemap.ts';
import { isUnsafeUrlError } from '../../src/knowledge/fetch/unsafe-url-error.ts';
import { isWebFetchError } from '../../src/knowledge/fetch/web-fetch-error.ts';
import { buildPdf } from './fixtures/build-pdf.ts';
import { startTestServer, type TestServer } from './fixtures/start-test-server.ts';

const page = (title: string, body: string, head = ''): string =>
  `<!doctype html><html lang="en-GB"><head><title>${title}</title>${head}</head><body>` +
  `<nav><a href="/">Home</a></nav><main><h1>${title}</h1>${body}</main></body></html>`;
const prose = (topic: string): string =>
  `<p>${topic} explained in enough words for the reader view to keep this paragraph as the main content of the page.</p>`;

let server: TestServer;
let robotsTxt = '';
let inFlight = 0;
let maxInFlight = 0;
const starts: { path: string; time: number }[] = [];

beforeAll(async () => {
  server = await startTestServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const origin = `http://${request.headers.host ?? ''}`;
    const html = (body: string, status = 200): void => {
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      response.end(body);
    };
    starts.push({ path, time: Date.now() });
    switch (path) {
      case '/robots.txt':
        response.writeHead(robotsTxt === '503' ? 503 : 200, { 'content-type': 'text/plain' });
        response.end(robotsTxt === '503' ? '' : robotsTxt);
        return;
      case '/':
        html(
          page(
            'Help centre',
            prose('Welcome') +
              '<ul><li><a href="/docs/a">A</a></li><li><a href="/docs/a#top">A again</a></li><li><a href="/docs/b">B</a></li>' +
              '<li><a href="/private/secret">Secret</a></li><li><a href="https://external.example/x">Elsewhere</a></li>' +
              '<li><a href="/logo.png">Logo</a></li><li><a href="mailto:help@example.com">Mail</a></li>' +
              '<li><a href="/noindex">Noindex</a></li><li><a href="/nofollow">Nofollow</a></li>' +
              '<li><a rel="nofollow" href="/hidden">Hidden</a></li><li><a href="/broken">Broken</a></li>' +
              '<li><a href="/guide.pdf">Guide</a></li></ul>',
          ),
        );
        return;
      case '/docs/a':
      case '/docs/b2':
      case '/docs/c':
      case '/docs/e': {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight -= 1;
          const links =
            path === '/docs/a'
              ? '<a href="/docs/c">C</a> <a href="/docs/b">B</a>'
              : path === '/docs/c'
                ? '<a href="/docs/d">D</a>'
                : '';
          html(page(`Doc ${path.slice(-2)}`, prose(`Topic ${path}`) + links));
        }, 25);
        return;
      }
      case '/docs/b':
        response.writeHead(301, { location: `${origin}/docs/b2` });
        response.end();
        return;
      case '/noindex':
        html(
          page(
            'Noindex',
            prose('Hidden page') + '<a href="/docs/e">E</a>',
            '<meta name="robots" content="noindex">',
          ),
        );
        return;
      case '/nofollow':
        html(
          page(
            'Nofollow',
            prose('Visible page') + '<a href="/docs/f">F</a>',
            '<meta name="ROBOTS" content="nofollow">',
          ),
        );
        return;
      case '/broken':
        html('oops', 500);
        return;
      case '/guide.pdf':
        response.writeHead(200, { 'content-type': 'application/pdf' });
        response.end(Buffer.from(buildPdf([['The PDF guide text.']], { title: 'PDF guide' })));
        return;
      case '/logo.png':
        response.writeHead(200, { 'content-type': 'image/png' });
        response.end(Buffer.from([137, 80, 78, 71]));
        return;
      case '/sitemap.xml':
        response.writeHead(200, { 'content-type': 'application/xml' });
        response.end(
          `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
            `<sitemap><loc>${origin}/sitemap-pages.xml</loc></sitemap><sitemap><loc>${origin}/sitemap-more.xml.gz</loc></sitemap>` +
            `<sitemap><loc>${origin}/sitemap-missing.xml</loc></sitemap><sitemap><loc>https://external.example/sitemap.xml</loc></sitemap>` +
            `</sitemapindex>`,
        );
        return;
      case '/sitemap-pages.xml':
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${origin}/docs/a</loc><lastmod>2026-01-02</lastmod></url>` +
            `<url><loc><![CDATA[${origin}/docs/c?x=1&y=2]]></loc></url><url><loc>https://external.example/p</loc></url>` +
            `<url><loc>${origin}/docs/a</loc></url></urlset>`,
        );
        return;
      case '/sitemap-more.xml.gz':
        response.writeHead(200, { 'content-type': 'application/gzip' });
        response.end(gzipSync(`<urlset><url><loc>${origin}/docs/e?a=1&amp;b=2</loc></url></urlset>`));
        return;
      default:
        html('not found', 404);
    }
  });
});

afterAll(async () => {
  await server.close();
});

const deps = () => ({ fetch: createSafeFetch({ allowPrivateNetwork: true }) });

describe('extractLinks and parseSitemap', () => {
  it('resolves links against <base>, drops fragments, nofollow links and non-http schemes', () => {
    const result = extractLinks(
      '<html><head><base href="https://x.example/docs/"><meta name="robots" content="noindex, follow"></head><body>' +
        '<a href="a">a</a><a href="a#b">a</a><a href="/b">b</a><a href="javascript:void(0)">j</a><a rel="nofollow ugc" href="c">c</a>' +
        '</body></html>',
      'https://x.example/page',
    );
    expect(result).toEqual({
      links: ['https://x.example/docs/a', 'https://x.example/b'],
      noindex: true,
      nofollow: false,
    });
  });

  it('reads plain-text sitemaps and namespaced tags', () => {
    expect(
      parseSitemap(
        'https://x.example/a\nnot a url\nftp://x.example/f\n/relative',
        'https://x.example/sitemap.txt',
      ),
    ).toEqual({
      kind: 'urlset',
      entries: [{ url: 'https://x.example/a' }],
    });
    expect(
      parseSitemap(
        '<ns:sitemapindex><ns:sitemap><ns:loc>https://x.example/s.xml</ns:loc></ns:sitemap></ns:sitemapindex>',
        'https://x.example/',
      ),
    ).toEqual({
      kind: 'index',
      sitemaps: ['https://x.example/s.xml'],
    });
  });
});

describe('fetchPage', () => {
  it('extracts an HTML page with its language and final URL', async () => {
    const document = await fetchPage(deps(), `${server.origin}/docs/b`);
    expect(document).toMatchObject({
      sourceUri: `${server.origin}/docs/b2`,
      url: `${server.origin}/docs/b2`,
      title: 'Doc b2',
      format: 'html',
      language: 'en',
    });
    expect(document.markdown).toContain('Topic /docs/b2 explained');
    expect(document.markdown).not.toContain('Home');
  });

  it('extracts linked PDFs and refuses other content types and error answers with typed errors', async () => {
    expect(await fetchPage(deps(), `${server.origin}/guide.pdf`)).toMatchObject({
      format: 'pdf',
      title: 'PDF guide',
      markdown: 'The PDF guide text.',
    });
    await expect(fetchPage(deps(), `${server.origin}/logo.png`)).rejects.toSatisfy((error) =>
      isWebFetchError(error, 'unsupported_content'),
    );
    await expect(fetchPage(deps(), `${server.origin}/nowhere`)).rejects.toMatchObject({
      kind: 'http_status',
      status: 404,
    });
  });

  it('is refused by the default safe fetch', async () => {
    await expect(fetchPage({ fetch: createSafeFetch() }, `${server.origin}/`)).rejects.toSatisfy((error) =>
      isUnsafeUrlError(error, 'blocked_address'),
    );
  });
});

describe('fetchSitemap', () => {
  it('follows a sitemap index, unpacks gzip, keeps one host, dedupes and reports broken children', async () => {
    const result = await fetchSitemap(deps(), `${server.origin}/sitemap.xml`);
    expect(result.urls).toEqual([
      { url: `${server.origin}/docs/a`, lastModified: '2026-01-02' },
      { url: `${server.origin}/docs/c?x=1&y=2` },
      { url: `${server.origin}/docs/e?a=1&b=2` },
    ]);
    expect(
      result.errors.map((failure) => [failure.url, (failure.error as { status?: number }).status]),
    ).toEqual([[`${server.origin}/sitemap-missing.xml`, 404]]);
    expect(result.truncated).toBe(false);
    expect(server.requests.some((request) => request.path.includes('external'))).toBe(false);
  });

  it('stops at the URL limit and says so', async () => {
    const result = await fetchSitemap(deps(), `${server.origin}/sitemap.xml`, { maxUrls: 1 });
    expect(result.urls).toHaveLength(1);
    expect(result.truncated).toBe(true);
  });

  it('throws when the sitemap itself cannot be read', async () => {
    await expect(fetchSitemap(deps(), `${server.origin}/sitemap-nope.xml`)).rejects.toMatchObject({
      kind: 'http_status',
      status: 404,
    });
  });
});

describe('crawlSite', () => {
  it('crawls breadth-first within depth, obeying robots.txt, noindex and nofollow, recording failures', async () => {
    robotsTxt = 'User-agent: *\nDisallow: /private/\n';
    maxInFlight = 0;
    const firstRequest = server.requests.length;
    const progress: CrawlProgress[] = [];
    const result = await crawlSite(deps(), `${server.origin}/`, {
      maxDepth: 2,
      concurrency: 2,
      delayMs: 0,
      onProgress: (event) => progress.push(event),
    });
    expect(result.documents.map((document) => document.sourceUri.replace(server.origin, ''))).toEqual([
      '/',
      '/docs/a',
      '/docs/b2',
      '/nofollow',
      '/guide.pdf',
      '/docs/c',
      '/docs/e',
    ]);
    expect(result.skipped.map((skip) => [skip.url.replace(server.origin, ''), skip.reason])).toEqual([
      ['/private/secret', 'robots'],
      ['/noindex', 'noindex'],
    ]);
    expect(
      result.errors.map((failure) => [
        failure.url.replace(server.origin, ''),
        (failure.error as { status?: number }).status,
      ]),
    ).toEqual([['/broken', 500]]);
    const requested = server.requests.slice(firstRequest).map((request) => request.path);
    for (const never of ['/docs/d', '/docs/f', '/hidden', '/logo.png', '/private/secret'])
      expect(requested).not.toContain(never);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(progress).toHaveLength(10);
    expect(progress.at(-1)).toMatchObject({ pagesRequested: 9 });
  });

  it('stops at the page limit and reports what it did not fetch', async () => {
    robotsTxt = '';
    const result = await crawlSite(deps(), `${server.origin}/`, { maxPages: 3, delayMs: 0, concurrency: 1 });
    expect(result.documents.map((document) => document.sourceUri.replace(server.origin, ''))).toEqual([
      '/',
      '/docs/a',
      '/docs/b2',
    ]);
    expect(result.skipped.filter((skip) => skip.reason === 'page_limit').length).toBeGreaterThan(3);
  });

  it('spaces requests by the delay and the robots.txt crawl-delay', async () => {
    robotsTxt = 'User-agent: chatwoot-agent\nCrawl-delay: 0.06\n';
    starts.length = 0;
    await crawlSite(deps(), `${server.origin}/docs/a`, { maxDepth: 1, delayMs: 10, concurrency: 2 });
    // Page requests only: robots.txt is read first, and a redirect's second hop belongs to the same page.
    const pageStarts = starts.filter((start) => start.path !== '/robots.txt' && start.path !== '/docs/b2');
    expect(pageStarts.map((start) => start.path)).toEqual(['/docs/a', '/', '/docs/c', '/docs/b']);
    const gaps = pageStarts.slice(1).map((start, index) => start.time - (pageStarts[index]?.time ?? 0));
    // 60 ms crawl-delay; a few ms of timer and clock granularity allowed (still far above the 10 ms delayMs).
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(50);
  });

  it('crawls nothing when robots.txt cannot be read (RFC 9309: assume disallow)', async () => {
    robotsTxt = '503';
    const result = await crawlSite(deps(), `${server.origin}/`, { delayMs: 0 });
    expect(result.documents).toEqual([]);
    expect(result.skipped).toEqual([{ url: `${server.origin}/`, reason: 'robots' }]);
  });

  it('throws when the default safe fetch refuses the start URL', async () => {
    robotsTxt = '';
    await expect(
      crawlSite({ fetch: createSafeFetch() }, `${server.origin}/`, { respectRobots: false }),
    ).rejects.toSatisfy((error) => isUnsafeUrlError(error, 'blocked_address'));
  });
});
