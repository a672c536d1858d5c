import type { ExtractedDocument } from '../extracted-document.ts';
import type { SafeFetch } from './create-safe-fetch.ts';
import { fetchChatwootPortalFromApi } from './fetch-chatwoot-portal-api.ts';
import { fetchChatwootPortalFromPublicPages } from './fetch-chatwoot-portal-public.ts';

export interface ChatwootPortalOptions {
  /** The Chatwoot installation, e.g. `https://chat.example.com` (or the portal's custom domain for public pages). */
  readonly baseUrl: string;
  readonly portalSlug: string;
  /** Chatwoot locale codes (`en`, `pt_BR`); default: every locale (API) or the portal's default locale + sitemap (public). */
  readonly locales?: readonly string[];
  /** Read through the account API with a user access token instead of the public pages. */
  readonly api?: { readonly accountId: number; readonly apiAccessToken: string };
  /** Base of the citation URLs when readers use another address (a custom domain). Default `baseUrl`. */
  readonly publicBaseUrl?: string;
  /** Default 1 000. */
  readonly maxArticles?: number;
  /** Article pages fetched at once in public mode. Default 2. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export interface ChatwootPortalResult {
  readonly documents: ExtractedDocument[];
  /** Articles or listing pages that failed; the rest of the portal still counts. */
  readonly errors: { readonly url: string; readonly error: Error }[];
}

/**
 * A Chatwoot help centre's published articles as documents, each with its locale as `language` and its public
 * URL (`{base}/hc/{portal}/articles/{slug}`) as `url` and `sourceUri` — the same identity in both modes, so
 * switching modes does not duplicate articles. Everything goes through the safe fetch: a self-hosted Chatwoot on a
 * private network must be listed in the safe fetch's `privateNetworkHosts`.
 *
 * Throws `ChatwootPortalError` when the portal as a whole cannot be read (unknown slug, refused token, unexpected
 * answers), `UnsafeUrlError` / `WebFetchError` from the fetch.
 */
export async function fetchChatwootPortal(
  deps: { fetch: SafeFetch },
  options: ChatwootPortalOptions,
): Promise<ChatwootPortalResult> {
  const common = {
    baseUrl: options.baseUrl,
    portalSlug: options.portalSlug,
    publicBaseUrl: options.publicBaseUrl ?? options.baseUrl,
    locales: options.locales && options.locales.length > 0 ? options.locales : undefined,
    maxArticles: options.maxArticles ?? 1_000,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  if (options.api) {
    return fetchChatwootPortalFromApi(deps, {
      ...common,
      accountId: options.api.accountId,
      apiAccessToken: options.api.apiAccessToken,
    });
  }
  return fetchChatwootPortalFromPublicPages(deps, { ...common, concurrency: options.concurrency ?? 2 });
}
