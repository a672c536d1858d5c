import robotsParserModule from 'robots-parser';

import { coerceError } from '../../errors/coerce-error.ts';
import type { SafeFetch } from './create-safe-fetch.ts';
import { isUnsafeUrlError } from './unsafe-url-error.ts';
import { responseText } from './read-response.ts';

interface ParsedRobots {
  isAllowed(url: string, userAgent?: string): boolean | undefined;
  getCrawlDelay(userAgent?: string): number | undefined;
  getSitemaps(): string[];
}

/** robots-parser is CommonJS (`module.exports = fn`); its bundled types do not resolve under NodeNext. */
const robotsParser = robotsParserModule as unknown as (url: string, contents: string) => ParsedRobots;

export interface RobotsPolicy {
  isAllowed(url: string): boolean;
  /** Seconds between requests asked for by the site, if any. */
  readonly crawlDelaySeconds: number | undefined;
  readonly sitemaps: readonly string[];
  /** Why the whole site is off limits, when robots.txt could not be read (RFC 9309 §2.3.1.4). */
  readonly unreachableReason?: string;
}

/**
 * Reads `{origin}/robots.txt` for our user-agent token, following RFC 9309: a 4xx answer means no rules (allow
 * everything); a 5xx answer or a network failure means "assume complete disallow" — we do not crawl a site whose
 * rules we cannot read. A refused (unsafe) robots URL is rethrown: the site itself would be refused too.
 */
export async function fetchRobots(
  deps: { fetch: SafeFetch },
  origin: string,
  options: { userAgentToken: string; signal?: AbortSignal },
): Promise<RobotsPolicy> {
  const robotsUrl = new URL('/robots.txt', origin).toString();
  let contents: string;
  try {
    const response = await deps.fetch(robotsUrl, {
      headers: { accept: 'text/plain' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (response.status >= 400 && response.status < 500) return allowAll();
    if (response.status < 200 || response.status >= 300)
      return disallowAll(`robots.txt answered ${response.status}`);
    contents = responseText(response);
  } catch (error) {
    if (isUnsafeUrlError(error)) throw error;
    return disallowAll(`robots.txt could not be fetched: ${coerceError(error).message}`);
  }
  const robots = robotsParser(robotsUrl, contents);
  return {
    // URLs on another origin are not governed by this file: undefined from the parser means "not mine", so allow.
    isAllowed: (url) => robots.isAllowed(url, options.userAgentToken) !== false,
    crawlDelaySeconds: robots.getCrawlDelay(options.userAgentToken),
    sitemaps: robots.getSitemaps(),
  };
}

function allowAll(): RobotsPolicy {
  return { isAllowed: () => true, crawlDelaySeconds: undefined, sitemaps: [] };
}

function disallowAll(reason: string): RobotsPolicy {
  return { isAllowed: () => false, crawlDelaySeconds: undefined, sitemaps: [], unreachableReason: reason };
}
