import pLimit from 'p-limit';

import { coerceError } from '../../errors/coerce-error.ts';
import { normalizeLanguage } from '../extract/normalize-language.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import { chatwootArticleUrl, withSlash } from './chatwoot-article-document.ts';
import { ChatwootPortalError } from './chatwoot-portal-error.ts';
import type { SafeFetch } from './create-safe-fetch.ts';
import { extractLinks } from './extract-links.ts';
import { fetchSitemap } from './fetch-sitemap.ts';
import { loadPage } from './load-page.ts';
import { assertOk, responseText } from './read-response.ts';
import { isWebFetchError } from './web-fetch-error.ts';

export interface PortalPublicOptions {
  readonly baseUrl: string;
  readonly portalSlug: string;
  readonly publicBaseUrl: string;
  readonly locales: readonly string[] | undefined;
  readonly maxArticles: number;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
}

/** Listing pages (locale homes, category pages) read at most, whatever the portal size. */
const MAX_LISTING_PAGES = 60;
/** The element around the article body in every Chatwoot portal layout (`articles/_content.html.erb`). */
const ARTICLE_CONTENT_SELECTOR = '#cw-article-content';

/**
 * Published articles through the public help-centre pages, as a visitor sees them:
 * 1. article URLs from the portal sitemap (`/hc/{portal}/sitemap.xml`, every locale; its host may be Chatwoot's
 *    HELPCENTER_URL, so only the path is kept) and from the locale home and category pages
 *    (`/hc/{portal}/{locale}`, `/hc/{portal}/{locale}/categories/{category}`); without `locales`, the default
 *    locale is found by following `/hc/{portal}`'s redirect;
 * 2. each `/hc/{portal}/articles/{slug}` page, reading `#cw-article-content` and `<html lang>` (Chatwoot sets it to
 *    the article's locale). Articles of other locales are dropped when `locales` is given.
 */
export async function fetchChatwootPortalFromPublicPages(
  deps: { fetch: SafeFetch },
  options: PortalPublicOptions,
): Promise<{ documents: ExtractedDocument[]; errors: { url: string; error: Error }[] }> {
  const errors: { url: string; error: Error }[] = [];
  const base = withSlash(options.baseUrl);
  const slug = encodeURIComponent(options.portalSlug);
  const request = options.signal ? { signal: options.signal } : {};
  const articlePath = new RegExp(`^/hc/${escapeRegExp(slug)}/articles/([^/]+)$`);
  const articleSlugs = new Set<string>();
  const collect = (links: readonly string[]): void => {
    for (const link of links) {
      const match = articlePath.exec(new URL(link).pathname);
      if (match?.[1] && !match[1].endsWith('.png')) articleSlugs.add(decodeURIComponent(match[1]));
    }
  };

  const locales = options.locales ?? [
    await defaultLocale(deps, new URL(`hc/${slug}`, base).toString(), request),
  ];
  try {
    const sitemap = await fetchSitemap(deps, new URL(`hc/${slug}/sitemap.xml`, base).toString(), {
      ...request,
      sameHostOnly: false,
    });
    collect(sitemap.urls.map((entry) => entry.url));
  } catch (error) {
    // Older Chatwoot versions have no portal sitemap; the listing pages below still find the articles.
    errors.push({ url: new URL(`hc/${slug}/sitemap.xml`, base).toString(), error: coerceError(error) });
  }
  const listingQueue = locales.map((locale) =>
    new URL(`hc/${slug}/${encodeURIComponent(locale)}`, base).toString(),
  );
  const listed = new Set(listingQueue);
  let missingLocaleHomes = 0;
  for (let index = 0; index < listingQueue.length && index < MAX_LISTING_PAGES; index += 1) {
    const url = listingQueue[index] as string;
    try {
      const response = assertOk(await deps.fetch(url, { headers: { accept: 'text/html' }, ...request }));
      const { links } = extractLinks(responseText(response), response.url);
      collect(links);
      for (const link of links) {
        const path = new URL(link).pathname;
        const isCategory = locales.some((locale) =>
          path.startsWith(`/hc/${slug}/${encodeURIComponent(locale)}/categories/`),
        );
        if (isCategory && !listed.has(link)) {
          listed.add(link);
          listingQueue.push(link);
        }
      }
    } catch (error) {
      if (index < locales.length && isWebFetchError(error, 'http_status') && error.status === 404)
        missingLocaleHomes += 1;
      errors.push({ url, error: coerceError(error) });
    }
  }
  if (articleSlugs.size === 0 && missingLocaleHomes === locales.length) {
    const url = listingQueue[0] ?? base;
    throw new ChatwootPortalError('portal_not_found', { url, message: `no public help centre at ${url}` });
  }

  const wanted = options.locales
    ? new Set(options.locales.map((locale) => normalizeLanguage(locale)))
    : undefined;
  const limit = pLimit(options.concurrency);
  const articleUrls = [...articleSlugs]
    .slice(0, options.maxArticles)
    .map((articleSlug) => chatwootArticleUrl(base, options.portalSlug, articleSlug));
  const loaded = await Promise.all(
    articleUrls.map((url) =>
      limit(async () => {
        try {
          const page = await loadPage(deps, url, { ...request, contentSelector: ARTICLE_CONTENT_SELECTOR });
          return { url, document: page.document };
        } catch (error) {
          return { url, error: coerceError(error) };
        }
      }),
    ),
  );
  const documents: ExtractedDocument[] = [];
  for (const outcome of loaded) {
    if (outcome.error) errors.push({ url: outcome.url, error: outcome.error });
    if (!outcome.document) continue;
    if (wanted && outcome.document.language && !wanted.has(outcome.document.language)) continue;
    documents.push(withPublicUrl(outcome.document, options.publicBaseUrl, base));
  }
  return { documents, errors };
}

/** `/hc/{portal}` redirects to `/hc/{portal}/{default_locale}`. */
async function defaultLocale(
  deps: { fetch: SafeFetch },
  portalUrl: string,
  request: { signal?: AbortSignal },
): Promise<string> {
  const response = await deps.fetch(portalUrl, { headers: { accept: 'text/html' }, ...request });
  if (response.status === 404)
    throw new ChatwootPortalError('portal_not_found', {
      url: portalUrl,
      message: `no public help centre at ${portalUrl}`,
    });
  assertOk(response);
  const locale = new URL(response.url).pathname.split('/').filter(Boolean)[2];
  if (!locale) {
    throw new ChatwootPortalError('invalid_response', {
      url: portalUrl,
      message: 'the portal did not redirect to a locale; pass `locales`',
    });
  }
  return decodeURIComponent(locale);
}

/** Citations point at the public help-centre address (a custom domain) even when pages were read elsewhere. */
function withPublicUrl(
  document: ExtractedDocument,
  publicBaseUrl: string,
  readBase: string,
): ExtractedDocument {
  const publicBase = withSlash(publicBaseUrl);
  if (publicBase === readBase || !document.url?.startsWith(readBase)) return document;
  const url = publicBase + document.url.slice(readBase.length);
  return { ...document, sourceUri: url, url };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
