import { parseHtmlDocument } from '../extract/parse-html-document.ts';

export interface PageLinks {
  /** Absolute http(s) URLs without fragments, deduplicated, in document order. `rel="nofollow"` links excluded. */
  readonly links: string[];
  /** `<meta name="robots" content="noindex">` (or `none`): the page asks not to be indexed. */
  readonly noindex: boolean;
  /** `<meta name="robots" content="nofollow">` (or `none`): the page asks that its links not be followed. */
  readonly nofollow: boolean;
}

/** Links and robots directives of an HTML page, resolved against `<base href>` or the page URL. */
export function extractLinks(html: string, pageUrl: string): PageLinks {
  const document = parseHtmlDocument(html);
  const directives = Array.from(document.querySelectorAll('meta[name]'))
    .filter((meta) => ['robots', 'chatwoot-agent'].includes((meta.getAttribute('name') ?? '').toLowerCase()))
    .map((meta) => meta.getAttribute('content') ?? '')
    .join(',')
    .toLowerCase();
  const base = resolve(document.querySelector('base[href]')?.getAttribute('href') ?? '', pageUrl) ?? pageUrl;
  const seen = new Set<string>();
  for (const anchor of Array.from(document.querySelectorAll('a[href]'))) {
    if (/\bnofollow\b/i.test(anchor.getAttribute('rel') ?? '')) continue;
    const url = resolve(anchor.getAttribute('href') ?? '', base);
    if (url) seen.add(url);
  }
  return {
    links: [...seen],
    noindex: /\b(noindex|none)\b/.test(directives),
    nofollow: /\b(nofollow|none)\b/.test(directives),
  };
}

function resolve(href: string, base: string): string | undefined {
  const trimmed = href.trim();
  if (!trimmed || trimmed.startsWith('#')) return undefined;
  try {
    const url = new URL(trimmed, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    return url.toString();
  } catch {
    return undefined;
  }
}
