import pLimit from 'p-limit';
import { z } from 'zod';

import { AppError } from '../../errors/app-error.ts';
import { coerceError } from '../../errors/coerce-error.ts';
import { extractDirectory } from '../extract/extract-directory.ts';
import { extractFile } from '../extract/extract-file.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import type { SafeFetch } from '../fetch/create-safe-fetch.ts';
import { crawlSite } from '../fetch/crawl-site.ts';
import { fetchChatwootPortal } from '../fetch/fetch-chatwoot-portal.ts';
import { fetchPage } from '../fetch/fetch-page.ts';
import { fetchSitemap } from '../fetch/fetch-sitemap.ts';
import type { KnowledgeSource } from '../store/knowledge-source-repository.ts';

/** Options stored with a source (validated: they come from the CLI and the admin API). */
export const sourceOptionsSchema = z
  .object({
    maxPages: z.int().min(1).max(10_000).optional(),
    maxDepth: z.int().min(0).max(10).optional(),
    portalSlug: z.string().min(1).optional(),
    locales: z.array(z.string().min(2)).optional(),
    accountId: z.int().positive().optional(),
  })
  .strict();
export type SourceOptions = z.infer<typeof sourceOptionsSchema>;

export interface LoadedDocuments {
  readonly documents: ExtractedDocument[];
  /** Items that could not be read; when any exist, nothing is deleted on this sync (the listing is incomplete). */
  readonly errors: { readonly item: string; readonly message: string }[];
}

export interface SourceLoaderDeps {
  readonly fetch: SafeFetch;
  /** A Chatwoot user token for reading a portal through the API; otherwise public pages. */
  readonly chatwootUserToken?: string;
  readonly onProgress?: (message: string) => void;
}

/**
 * Reads a source's current documents: a file, a folder, a page, a sitemap's pages, a bounded crawl
 * of one site, or a Chatwoot help centre's published articles. Every URL goes through the safe fetch
 * (private networks refused unless allowed in configuration).
 */
export async function loadSourceDocuments(
  deps: SourceLoaderDeps,
  source: KnowledgeSource,
  signal?: AbortSignal,
): Promise<LoadedDocuments> {
  const options = sourceOptionsSchema.parse(source.options ?? {});
  switch (source.kind) {
    case 'file':
      return { documents: await extractFile(source.location), errors: [] };
    case 'directory': {
      const result = await extractDirectory(source.location, {
        onProgress: (event) => deps.onProgress?.(`read ${event.done} files`),
      });
      return {
        documents: result.documents,
        errors: result.errors.map((error) => ({ item: error.sourceUri, message: error.error.message })),
      };
    }
    case 'url':
      return { documents: [await fetchPage(deps, source.location, { signal })], errors: [] };
    case 'sitemap': {
      const sitemap = await fetchSitemap(deps, source.location, { maxUrls: options.maxPages ?? 500 });
      const limit = pLimit(2);
      const errors = sitemap.errors.map((error) => ({ item: error.url, message: error.error.message }));
      const documents: ExtractedDocument[] = [];
      let done = 0;
      await Promise.all(
        sitemap.urls.map((entry) =>
          limit(async () => {
            try {
              documents.push(await fetchPage(deps, entry.url, { signal }));
            } catch (error) {
              errors.push({ item: entry.url, message: coerceError(error).message });
            }
            done += 1;
            deps.onProgress?.(`fetched ${done}/${sitemap.urls.length} pages`);
          }),
        ),
      );
      return { documents, errors };
    }
    case 'crawl': {
      const result = await crawlSite(deps, source.location, {
        ...(options.maxPages !== undefined ? { maxPages: options.maxPages } : {}),
        ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
        onProgress: (event) =>
          deps.onProgress?.(`crawled ${event.pagesRequested} pages (${event.pagesQueued} queued)`),
        ...(signal ? { signal } : {}),
      });
      return {
        documents: result.documents,
        errors: result.errors.map((error) => ({ item: error.url, message: error.error.message })),
      };
    }
    case 'chatwoot_portal': {
      if (!options.portalSlug)
        throw new AppError('invalid_payload', {
          message: 'a Chatwoot portal source needs a portal slug (--portal <slug>)',
        });
      const api =
        deps.chatwootUserToken && options.accountId
          ? { accountId: options.accountId, apiAccessToken: deps.chatwootUserToken }
          : undefined;
      const result = await fetchChatwootPortal(deps, {
        baseUrl: source.location,
        portalSlug: options.portalSlug,
        ...(options.locales ? { locales: options.locales } : {}),
        ...(api ? { api } : {}),
        ...(signal ? { signal } : {}),
      });
      return {
        documents: result.documents,
        errors: result.errors.map((error) => ({ item: error.url, message: error.error.message })),
      };
    }
  }
}
