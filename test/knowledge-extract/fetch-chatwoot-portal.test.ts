import type http from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ChatwootPortalError } from '../../src/knowledge/fetch/chatwoot-portal-error.ts';
import { createSafeFetch } from '../../src/knowledge/fetch/create-safe-fetch.ts';
import { fetchChatwootPortal } from '../../src/knowledge/fetch/fetch-chatwoot-portal.ts';
import { isUnsafeUrlError } from '../../src/knowledge/fetch/unsafe-url-error.ts';
import { startTestServer, type TestServer } from './fixtures/start-test-server.ts';

/** Pages shaped like Chatwoot's portal layout (layouts/portal.html.erb, articles/_content.html.erb). */
const layout = (lang: string, title: string, main: string): string => `<!DOCTYPE html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${title}</title>
<meta name="csrf-token" content="x"><script type="module" src="/vite/assets/portal.js"></script></head>
<body><div id="portal" class="antialiased"><main class="flex flex-col min-h-screen" role="main">
<header class="sticky top-0"><nav><a href="/hc/handbook/${lang.startsWith('pt') ? 'pt_BR' : 'en'}">Handbook</a>
<a href="https://www.example.com">Go to the website</a></nav></header>
${main}
<footer><p>Powered by Chatwoot</p></footer></main></div>
<script>window.portalConfig = { portalSlug: 'handbook', localeCode: '${lang}' };</script></body></html>`;

const article = (lang: string, title: string, body: string): string =>
  layout(
    lang,
    `${title} | Handbook`,
    `<div class="max-w-5xl"><a href="/hc/handbook/en">Home</a> / <a href="/hc/handbook/en/categories/getting-started">Getting started</a>
<h1 class="text-3xl font-bold">${title}</h1><p>Last updated on Jan 02, 2026</p></div>
<div class="flex max-w-5xl"><div class="flex-grow"><div id="cw-article-content" class="prose">${body}</div></div>
<div class="flex-1" id="cw-hc-toc"></div></div><img src="/hc/handbook/articles/${title}.png" alt="">`,
  );

const apiArticle = (fields: Record<string, unknown>): Record<string, unknown> => ({
  description: null,
  position: 1,
  account_id: 1,
  updated_at: 1767312000,
  meta: {},
  associated_article_id: null,
  category: { id: 3, name: 'Getting started', slug: 'getting-started', locale: 'en' },
  views: 10,
  author: { id: 1, name: 'Agent' },
  associated_articles: [],
  ...fields,
});

let server: TestServer;

function json(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = await startTestServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const html = (body: string, status = 200): void => {
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      response.end(body);
    };
    if (url.pathname === '/api/v1/accounts/1/portals/handbook/articles') {
      if (request.headers.api_access_token !== 'user-token')
        return json(response, 401, { error: 'Invalid Access Token' });
      const page = Number(url.searchParams.get('page') ?? '1');
      const pages: Record<number, unknown[]> = {
        1: [
          apiArticle({
            id: 11,
            slug: 'welcome',
            title: 'Welcome',
            status: 'published',
            locale: 'en',
            content: '# Welcome\n\nStart **here**.',
          }),
          apiArticle({
            id: 12,
            slug: 'draft-notes',
            title: 'Draft',
            status: 'draft',
            locale: 'en',
            content: 'Not ready.',
          }),
        ],
        2: [
          apiArticle({
            id: 13,
            slug: 'como-instalar',
            title: 'Como instalar',
            status: 'published',
            locale: 'pt_BR',
            category: { id: 4, name: 'Início', slug: 'inicio', locale: 'pt_BR' },
            content: '<h2>Passos</h2><ol><li>Copie o código</li><li>Cole no site</li></ol>',
          }),
          apiArticle({
            id: 14,
            slug: 'empty',
            title: 'Empty',
            status: 'published',
            locale: 'en',
            content: '',
          }),
        ],
      };
      return json(response, 200, {
        payload: pages[page] ?? [],
        meta: { current_page: page, articles_count: 4 },
      });
    }
    if (url.pathname === '/api/v1/accounts/1/portals/missing/articles')
      return json(response, 404, { error: 'not found' });
    if (url.pathname === '/api/v1/accounts/1/portals/weird/articles')
      return json(response, 200, { data: [] });
    switch (url.pathname) {
      case '/hc/handbook':
        response.writeHead(302, { location: '/hc/handbook/en' });
        response.end();
        return;
      case '/hc/handbook/en':
        return html(
          layout(
            'en',
            'Handbook',
            `<section><h2>Getting started</h2><a href="/hc/handbook/en/categories/getting-started">View all articles</a>
             <a href="/hc/handbook/articles/welcome">Welcome</a></section>`,
          ),
        );
      case '/hc/handbook/pt_BR':
        return html(
          layout('pt-BR', 'Handbook', '<a href="/hc/handbook/articles/como-instalar">Como instalar</a>'),
        );
      case '/hc/handbook/en/categories/getting-started':
        return html(
          layout(
            'en',
            'Getting started | Handbook',
            `<div id="category-block"><a href="/hc/handbook/articles/welcome"><h3>Welcome</h3></a></div>
             <div id="category-block"><a href="/hc/handbook/articles/install-widget"><h3>Install the widget</h3></a></div>
             <div id="category-block"><a href="/hc/handbook/articles/gone"><h3>Gone</h3></a></div>`,
          ),
        );
      case '/hc/handbook/sitemap.xml':
        response.writeHead(200, { 'content-type': 'application/xml' });
        response.end(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://help.example.com/hc/handbook/articles/welcome</loc><lastmod>2026-01-02</lastmod></url>
  <url><loc>https://help.example.com/hc/handbook/articles/como-instalar</loc><lastmod>2026-01-03</lastmod></url>
</urlset>`);
        return;
      case '/hc/handbook/articles/welcome':
        return html(
          article(
            'en',
            'Welcome',
            '<p>Start <strong>here</strong>.</p><h2>Next steps</h2><ul><li>Invite agents</li></ul>',
          ),
        );
      case '/hc/handbook/articles/install-widget':
        return html(
          article(
            'en',
            'Install the widget',
            '<h2>Steps</h2><ol><li>Copy the script</li><li>Paste it</li></ol>',
          ),
        );
      case '/hc/handbook/articles/como-instalar':
        return html(article('pt-BR', 'Como instalar', '<h2>Passos</h2><p>Copie o código.</p>'));
      default:
        return html('<h1>Page not found</h1>', 404);
    }
  });
});

afterAll(async () => {
  await server.close();
});

const deps = () => ({ fetch: createSafeFetch({ allowPrivateNetwork: true }) });

describe('fetchChatwootPortal through the public pages', () => {
  it('finds articles from the sitemap and the listing pages and reads each article body with its locale', async () => {
    const result = await fetchChatwootPortal(deps(), { baseUrl: server.origin, portalSlug: 'handbook' });
    const bySlug = Object.fromEntries(
      result.documents.map((document) => [document.sourceUri.split('/').pop(), document]),
    );
    expect(Object.keys(bySlug).sort()).toEqual(['como-instalar', 'install-widget', 'welcome']);
    expect(bySlug.welcome).toEqual({
      sourceUri: `${server.origin}/hc/handbook/articles/welcome`,
      url: `${server.origin}/hc/handbook/articles/welcome`,
      title: 'Welcome',
      format: 'html',
      language: 'en',
      markdown: 'Start **here**.\n\n## Next steps\n\n- Invite agents',
    });
    expect(bySlug['como-instalar']).toMatchObject({
      language: 'pt',
      title: 'Como instalar',
      markdown: '## Passos\n\nCopie o código.',
    });
    expect(
      result.errors.map((failure) => [
        failure.url.replace(server.origin, ''),
        (failure.error as { status?: number }).status,
      ]),
    ).toEqual([['/hc/handbook/articles/gone', 404]]);
  });

  it('keeps only the requested locales and cites the public address', async () => {
    const result = await fetchChatwootPortal(deps(), {
      baseUrl: server.origin,
      portalSlug: 'handbook',
      locales: ['pt_BR', 'es'],
      publicBaseUrl: 'https://help.example.com',
    });
    expect(result.documents.map((document) => [document.url, document.language])).toEqual([
      ['https://help.example.com/hc/handbook/articles/como-instalar', 'pt'],
    ]);
    // The missing Spanish home is reported; the English articles found in the sitemap were read and dropped.
    expect(result.errors.map((failure) => failure.url.replace(server.origin, ''))).toEqual([
      '/hc/handbook/es',
    ]);
  });

  it('reports an unknown portal as portal_not_found', async () => {
    await expect(
      fetchChatwootPortal(deps(), { baseUrl: server.origin, portalSlug: 'nope' }),
    ).rejects.toMatchObject({
      name: 'ChatwootPortalError',
      reason: 'portal_not_found',
    });
  });

  it('goes through the safe fetch (refused by default for a local address)', async () => {
    await expect(
      fetchChatwootPortal({ fetch: createSafeFetch() }, { baseUrl: server.origin, portalSlug: 'handbook' }),
    ).rejects.toSatisfy((error) => isUnsafeUrlError(error, 'blocked_address'));
  });
});

describe('fetchChatwootPortal through the API', () => {
  const api = { accountId: 1, apiAccessToken: 'user-token' };

  it('pages through published articles, converts HTML content and reports empty ones', async () => {
    const firstRequest = server.requests.length;
    const result = await fetchChatwootPortal(deps(), { baseUrl: server.origin, portalSlug: 'handbook', api });
    expect(result.documents).toEqual([
      {
        sourceUri: `${server.origin}/hc/handbook/articles/welcome`,
        url: `${server.origin}/hc/handbook/articles/welcome`,
        title: 'Welcome',
        format: 'markdown',
        language: 'en',
        markdown: '# Welcome\n\nStart **here**.',
      },
      {
        sourceUri: `${server.origin}/hc/handbook/articles/como-instalar`,
        url: `${server.origin}/hc/handbook/articles/como-instalar`,
        title: 'Como instalar',
        format: 'markdown',
        language: 'pt',
        markdown: '## Passos\n\n1. Copie o código\n2. Cole no site',
      },
    ]);
    expect(result.errors.map((failure) => failure.error.message)).toEqual([
      `${server.origin}/hc/handbook/articles/empty: the article has no content`,
    ]);
    const requests = server.requests.slice(firstRequest);
    expect(requests.map((request) => request.path)).toEqual([
      '/api/v1/accounts/1/portals/handbook/articles?page=1&status=published',
      '/api/v1/accounts/1/portals/handbook/articles?page=2&status=published',
      '/api/v1/accounts/1/portals/handbook/articles?page=3&status=published',
    ]);
  });

  it('filters locales client-side even when the server ignores the locale parameter', async () => {
    const result = await fetchChatwootPortal(deps(), {
      baseUrl: server.origin,
      portalSlug: 'handbook',
      api,
      locales: ['en', 'pt_BR'],
    });
    expect(result.documents.map((document) => document.language)).toEqual(['en', 'pt']);
  });

  it.each([
    ['a refused token', 'handbook', 'bad-token', 'unauthorized'],
    ['an unknown portal', 'missing', 'user-token', 'portal_not_found'],
    ['an unexpected answer', 'weird', 'user-token', 'invalid_response'],
  ])('reports %s as a typed error', async (_name, portalSlug, apiAccessToken, reason) => {
    const error = await fetchChatwootPortal(deps(), {
      baseUrl: server.origin,
      portalSlug,
      api: { accountId: 1, apiAccessToken },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChatwootPortalError);
    expect(error).toMatchObject({ reason });
  });
});
