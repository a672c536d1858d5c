import { z } from 'zod';

import { coerceError } from '../../errors/coerce-error.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import { chatwootArticleDocument, withSlash } from './chatwoot-article-document.ts';
import { ChatwootPortalError } from './chatwoot-portal-error.ts';
import type { SafeFetch } from './create-safe-fetch.ts';
import { assertOk, responseText } from './read-response.ts';

/** What we read of Chatwoot's `api/v1/accounts/articles/_article.json.jbuilder`; everything else is ignored. */
const articleSchema = z.object({
  id: z.number(),
  slug: z.string().nullish(),
  title: z.string().nullish(),
  content: z.string().nullish(),
  status: z.union([z.string(), z.number()]).nullish(),
  locale: z.string().nullish(),
  category: z.object({ locale: z.string().nullish() }).nullish(),
});
const articleListSchema = z.object({ payload: z.array(articleSchema) });

export interface PortalApiOptions {
  readonly baseUrl: string;
  readonly portalSlug: string;
  readonly accountId: number;
  readonly apiAccessToken: string;
  readonly publicBaseUrl: string;
  readonly locales: readonly string[] | undefined;
  readonly maxArticles: number;
  readonly signal?: AbortSignal;
}

/** Chatwoot pages this endpoint (25 per page); this bounds a misbehaving server that ignores `page`. */
const MAX_PAGES = 200;

/**
 * Published articles through `GET /api/v1/accounts/{account_id}/portals/{portal_slug}/articles?page=N[&locale=xx]`
 * (user access token). Drafts and archived articles are left out even if the server ignores the `status` filter
 * (older versions do), and so are articles of other locales when `locales` is given.
 */
export async function fetchChatwootPortalFromApi(
  deps: { fetch: SafeFetch },
  options: PortalApiOptions,
): Promise<{ documents: ExtractedDocument[]; errors: { url: string; error: Error }[] }> {
  const documents: ExtractedDocument[] = [];
  const errors: { url: string; error: Error }[] = [];
  const taken = new Set<number>();
  const wanted = options.locales?.map((locale) => locale.toLowerCase().replace('-', '_'));
  for (const locale of options.locales ?? [undefined]) {
    // Per locale pass: a server that ignores `locale` returns every article in each pass, and the filter below
    // must see them all again.
    const seen = new Set<number>();
    for (let page = 1; page <= MAX_PAGES && documents.length < options.maxArticles; page += 1) {
      const url = new URL(
        `api/v1/accounts/${options.accountId}/portals/${encodeURIComponent(options.portalSlug)}/articles`,
        withSlash(options.baseUrl),
      );
      url.searchParams.set('page', String(page));
      url.searchParams.set('status', 'published');
      if (locale) url.searchParams.set('locale', locale);
      const articles = await fetchPage(deps, url.toString(), options);
      const fresh = articles.filter((article) => !seen.has(article.id));
      if (fresh.length === 0) break;
      for (const article of fresh) {
        seen.add(article.id);
        if (taken.has(article.id)) continue;
        if (article.status !== 'published' && article.status !== 1) continue;
        const articleLocale = (article.locale ?? article.category?.locale ?? locale)
          ?.toLowerCase()
          .replace('-', '_');
        if (wanted && articleLocale && !wanted.includes(articleLocale)) continue;
        if (documents.length >= options.maxArticles) break;
        taken.add(article.id);
        try {
          documents.push(
            chatwootArticleDocument(article, {
              publicBaseUrl: options.publicBaseUrl,
              portalSlug: options.portalSlug,
              ...(locale ? { requestedLocale: locale } : {}),
            }),
          );
        } catch (error) {
          errors.push({ url: `${url.origin}${url.pathname}#${article.id}`, error: coerceError(error) });
        }
      }
    }
  }
  return { documents, errors };
}

async function fetchPage(
  deps: { fetch: SafeFetch },
  url: string,
  options: PortalApiOptions,
): Promise<z.infer<typeof articleSchema>[]> {
  const response = await deps.fetch(url, {
    headers: { accept: 'application/json', api_access_token: options.apiAccessToken },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (response.status === 401 || response.status === 403) {
    throw new ChatwootPortalError('unauthorized', {
      url,
      message: `Chatwoot refused the API token (${response.status})`,
    });
  }
  if (response.status === 404) {
    throw new ChatwootPortalError('portal_not_found', {
      url,
      message: `portal "${options.portalSlug}" not found in account ${options.accountId}`,
    });
  }
  assertOk(response);
  let body: unknown;
  try {
    body = JSON.parse(responseText(response));
  } catch (error) {
    throw new ChatwootPortalError('invalid_response', {
      url,
      message: 'Chatwoot did not answer with JSON',
      cause: error,
    });
  }
  const parsed = articleListSchema.safeParse(body);
  if (!parsed.success) {
    throw new ChatwootPortalError('invalid_response', {
      url,
      message: `unexpected article list shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      cause: parsed.error,
    });
  }
  return parsed.data.payload;
}
