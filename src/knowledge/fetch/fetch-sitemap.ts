import { gunzipSync } from 'node:zlib';

import { coerceError } from '../../errors/coerce-error.ts';
import type { SafeFetch } from './create-safe-fetch.ts';
import { parseSitemap, type SitemapEntry } from './parse-sitemap.ts';
import { assertOk, responseText } from './read-response.ts';
import { WebFetchError } from './web-fetch-error.ts';

export interface FetchSitemapOptions {
  /** Stop collecting after this many page URLs. Default 5 000. */
  readonly maxUrls?: number;
  /** Fetch at most this many sitemap files (the index included). Default 50. */
  readonly maxSitemaps?: number;
  /** Keep only URLs on the sitemap's own host, as the sitemaps protocol requires. Default true. */
  readonly sameHostOnly?: boolean;
  /** Cap for a gzipped sitemap once unpacked. Default 50 MiB (the protocol's own limit). */
  readonly maxUnpackedBytes?: number;
  readonly signal?: AbortSignal;
}

export interface SitemapResult {
  readonly urls: SitemapEntry[];
  /** Child sitemaps of an index that could not be read; the first sitemap failing throws instead. */
  readonly errors: { readonly url: string; readonly error: Error }[];
  /** True when `maxUrls` or `maxSitemaps` cut the listing short. */
  readonly truncated: boolean;
}

/**
 * Lists the pages of a sitemap or sitemap index (followed breadth-first, each child once, bounded), through the
 * safe fetch. Gzipped sitemaps (`.xml.gz`) are unpacked with a size cap.
 */
export async function fetchSitemap(
  deps: { fetch: SafeFetch },
  sitemapUrl: string,
  options: FetchSitemapOptions = {},
): Promise<SitemapResult> {
  const maxUrls = options.maxUrls ?? 5_000;
  const maxSitemaps = options.maxSitemaps ?? 50;
  const maxUnpackedBytes = options.maxUnpackedBytes ?? 50 * 1024 * 1024;
  const sameHostOnly = options.sameHostOnly ?? true;
  const urls: SitemapEntry[] = [];
  const seenUrls = new Set<string>();
  const errors: { url: string; error: Error }[] = [];
  const queue = [sitemapUrl];
  const visited = new Set<string>();
  let truncated = false;

  while (queue.length > 0) {
    const current = queue.shift() as string;
    if (visited.has(current)) continue;
    if (visited.size >= maxSitemaps) {
      truncated = true;
      break;
    }
    visited.add(current);
    let text: string;
    try {
      text = await readSitemap(deps, current, maxUnpackedBytes, options.signal);
    } catch (error) {
      if (current === sitemapUrl) throw error;
      errors.push({ url: current, error: coerceError(error) });
      continue;
    }
    const parsed = parseSitemap(text, current);
    if (parsed.kind === 'index') {
      queue.push(...parsed.sitemaps.filter((url) => !sameHostOnly || sameHost(url, sitemapUrl)));
      continue;
    }
    for (const entry of parsed.entries) {
      if (sameHostOnly && !sameHost(entry.url, sitemapUrl)) continue;
      if (seenUrls.has(entry.url)) continue;
      if (urls.length >= maxUrls) {
        truncated = true;
        break;
      }
      seenUrls.add(entry.url);
      urls.push(entry);
    }
    if (urls.length >= maxUrls && queue.length > 0) {
      truncated = true;
      break;
    }
  }
  return { urls, errors, truncated };
}

async function readSitemap(
  deps: { fetch: SafeFetch },
  url: string,
  maxUnpackedBytes: number,
  signal?: AbortSignal,
): Promise<string> {
  const response = assertOk(
    await deps.fetch(url, {
      headers: { accept: 'application/xml,text/xml;q=0.9,*/*;q=0.5' },
      ...(signal ? { signal } : {}),
    }),
  );
  const { body } = response;
  if (body[0] !== 0x1f || body[1] !== 0x8b) return responseText(response);
  try {
    return new TextDecoder().decode(gunzipSync(body, { maxOutputLength: maxUnpackedBytes }));
  } catch (error) {
    const isTooLarge = error instanceof RangeError;
    throw new WebFetchError(isTooLarge ? 'too_large' : 'unsupported_content', {
      url,
      message: isTooLarge
        ? `the gzipped sitemap unpacks to more than ${maxUnpackedBytes} bytes`
        : 'the gzipped sitemap is corrupt',
      cause: error,
    });
  }
}

function sameHost(url: string, reference: string): boolean {
  try {
    return new URL(url).host === new URL(reference).host;
  } catch {
    return false;
  }
}
