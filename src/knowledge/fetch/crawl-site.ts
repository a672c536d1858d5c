import { setTimeout as sleep } from 'node:timers/promises';

import pLimit from 'p-limit';

import { coerceError } from '../../errors/coerce-error.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import type { SafeFetch } from './create-safe-fetch.ts';
import { fetchRobots, type RobotsPolicy } from './fetch-robots.ts';
import { loadPage } from './load-page.ts';
import { isUnsafeUrlError } from './unsafe-url-error.ts';

export interface CrawlOptions {
  /** Link hops from the start page (0 = the start page only). Default 2. */
  readonly maxDepth?: number;
  /** Pages requested at most (failures count). Default 50. */
  readonly maxPages?: number;
  /** Requests in flight at once. Default 2. */
  readonly concurrency?: number;
  /** Minimum gap between request starts, raised to the site's robots.txt Crawl-delay (up to 10 s). Default 250 ms. */
  readonly delayMs?: number;
  /** Follow links to the start URL's host only. Default true. */
  readonly sameHostOnly?: boolean;
  /** Obey robots.txt (and `noindex`/`nofollow` directives). Default true. */
  readonly respectRobots?: boolean;
  /** Product token matched against robots.txt groups. Default `chatwoot-agent`. */
  readonly userAgentToken?: string;
  readonly onProgress?: (event: CrawlProgress) => void;
  readonly signal?: AbortSignal;
}

export interface CrawlProgress {
  readonly url: string;
  readonly outcome: 'ingested' | 'skipped' | 'failed';
  readonly pagesRequested: number;
  readonly pagesQueued: number;
}

export type CrawlSkipReason = 'robots' | 'noindex' | 'page_limit' | 'off_site_redirect' | 'duplicate';

export interface CrawlResult {
  readonly documents: ExtractedDocument[];
  readonly errors: { readonly url: string; readonly error: Error }[];
  readonly skipped: { readonly url: string; readonly reason: CrawlSkipReason }[];
}

/** Links to these are never documents we can extract. */
const SKIPPED_EXTENSIONS =
  /\.(?:png|jpe?g|gif|webp|svg|ico|bmp|css|js|mjs|json|xml|rss|atom|zip|gz|tgz|rar|7z|exe|dmg|iso|mp3|mp4|m4a|mov|avi|webm|woff2?|ttf|eot)$/i;
const MAX_ROBOTS_DELAY_MS = 10_000;

/**
 * Crawls a site breadth-first from `startUrl`, level by level up to `maxDepth`, politely: bounded concurrency, a
 * minimum gap between requests, robots.txt (RFC 9309) and page-level `noindex`/`nofollow`. Every request goes
 * through the safe fetch. A page that fails is recorded and the crawl goes on; a start URL refused as unsafe
 * throws, since nothing else could be crawled either. Documents come back in discovery order.
 */
export async function crawlSite(
  deps: { fetch: SafeFetch },
  startUrl: string,
  options: CrawlOptions = {},
): Promise<CrawlResult> {
  const maxDepth = options.maxDepth ?? 2;
  const maxPages = options.maxPages ?? 50;
  const sameHostOnly = options.sameHostOnly ?? true;
  const respectRobots = options.respectRobots ?? true;
  const userAgentToken = options.userAgentToken ?? 'chatwoot-agent';
  const start = new URL(startUrl);
  start.hash = '';
  const result: CrawlResult = { documents: [], errors: [], skipped: [] };
  const robotsByOrigin = new Map<string, Promise<RobotsPolicy>>();
  const robotsFor = (url: URL): Promise<RobotsPolicy> => {
    let policy = robotsByOrigin.get(url.origin);
    if (!policy) {
      policy = fetchRobots(deps, url.origin, {
        userAgentToken,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      robotsByOrigin.set(url.origin, policy);
    }
    return policy;
  };

  let delayMs = options.delayMs ?? 250;
  if (respectRobots) {
    const crawlDelay = (await robotsFor(start)).crawlDelaySeconds;
    if (crawlDelay !== undefined)
      delayMs = Math.max(delayMs, Math.min(crawlDelay * 1000, MAX_ROBOTS_DELAY_MS));
  }
  // Request starts are spaced by `delayMs`: each caller reserves the next free slot, then waits for it.
  let nextSlot = 0;
  const waitForSlot = async (): Promise<void> => {
    const now = Date.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + delayMs;
    if (slot > now) await sleep(slot - now, undefined, options.signal ? { signal: options.signal } : {});
  };

  const limit = pLimit(options.concurrency ?? 2);
  const seen = new Set<string>([start.toString()]);
  let pagesRequested = 0;
  let level = [start.toString()];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth += 1) {
    const nextLevel: string[] = [];
    const outcomes = await Promise.all(
      level.map((url) =>
        limit(async (): Promise<PageOutcome> => {
          options.signal?.throwIfAborted();
          if (respectRobots && !(await robotsFor(new URL(url))).isAllowed(url))
            return { url, skip: 'robots' };
          // Checked and counted with no await in between, so parallel tasks cannot overshoot the limit.
          if (pagesRequested >= maxPages) return { url, skip: 'page_limit' };
          pagesRequested += 1;
          await waitForSlot();
          try {
            const page = await loadPage(deps, url, options.signal ? { signal: options.signal } : {});
            const finalUrl = new URL(page.url);
            if (sameHostOnly && finalUrl.host !== start.host) return { url, skip: 'off_site_redirect' };
            if (page.url !== url && seen.has(page.url)) return { url, skip: 'duplicate' };
            seen.add(page.url);
            const links = depth < maxDepth && !(respectRobots && page.nofollow) ? page.links : [];
            if (respectRobots && page.noindex) return { url, skip: 'noindex', links };
            return { url, document: page.document, links };
          } catch (error) {
            if (url === start.toString() && isUnsafeUrlError(error)) throw error;
            return { url, error: coerceError(error) };
          }
        }),
      ),
    );
    for (const outcome of outcomes) {
      if (outcome.document) result.documents.push(outcome.document);
      if (outcome.error) result.errors.push({ url: outcome.url, error: outcome.error });
      if (outcome.skip) result.skipped.push({ url: outcome.url, reason: outcome.skip });
      for (const link of outcome.links ?? []) {
        if (seen.has(link) || !isCrawlable(link, start, sameHostOnly)) continue;
        seen.add(link);
        nextLevel.push(link);
      }
      options.onProgress?.({
        url: outcome.url,
        outcome: outcome.document ? 'ingested' : outcome.error ? 'failed' : 'skipped',
        pagesRequested,
        pagesQueued: nextLevel.length,
      });
    }
    level = nextLevel;
  }
  for (const url of level) result.skipped.push({ url, reason: 'page_limit' });
  return result;
}

interface PageOutcome {
  readonly url: string;
  readonly document?: ExtractedDocument;
  readonly error?: Error;
  readonly skip?: CrawlSkipReason;
  readonly links?: readonly string[];
}

function isCrawlable(link: string, start: URL, sameHostOnly: boolean): boolean {
  const url = new URL(link);
  if (sameHostOnly && url.host !== start.host) return false;
  return !SKIPPED_EXTENSIONS.test(url.pathname);
}
