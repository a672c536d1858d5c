export interface SitemapEntry {
  readonly url: string;
  /** `<lastmod>` as written (W3C date or datetime), when present. */
  readonly lastModified?: string;
}

export type ParsedSitemap =
  | { readonly kind: 'urlset'; readonly entries: SitemapEntry[] }
  | { readonly kind: 'index'; readonly sitemaps: string[] };

/**
 * Parses a sitemap (`<urlset>`), a sitemap index (`<sitemapindex>`) or a plain-text sitemap (one URL per line),
 * per sitemaps.org. A small regex reader is enough for this flat format (namespaced tags and CDATA included) and
 * avoids an XML dependency; relative or non-http(s) locations are dropped.
 */
export function parseSitemap(text: string, sitemapUrl: string): ParsedSitemap {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (!body.startsWith('<')) {
    const entries = body
      .split(/\r?\n/)
      // The text format requires full URLs, one per line: anything else is not a URL entry.
      .map((line) =>
        /^https?:\/\//i.test(line.trim()) ? absoluteHttpUrl(line.trim(), sitemapUrl) : undefined,
      )
      .filter((url): url is string => url !== undefined)
      .map((url) => ({ url }));
    return { kind: 'urlset', entries };
  }
  if (/<(?:[\w-]+:)?sitemapindex[\s>]/i.test(body)) {
    const sitemaps = blocks(body, 'sitemap')
      .map((block) => absoluteHttpUrl(tagText(block, 'loc') ?? '', sitemapUrl))
      .filter((url): url is string => url !== undefined);
    return { kind: 'index', sitemaps };
  }
  const entries: SitemapEntry[] = [];
  for (const block of blocks(body, 'url')) {
    const url = absoluteHttpUrl(tagText(block, 'loc') ?? '', sitemapUrl);
    if (!url) continue;
    const lastModified = tagText(block, 'lastmod');
    entries.push(lastModified ? { url, lastModified } : { url });
  }
  return { kind: 'urlset', entries };
}

function blocks(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<(?:[\\w-]+:)?${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${tag}>`, 'gi');
  return [...xml.matchAll(pattern)].map((match) => match[1] ?? '');
}

function tagText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<(?:[\\w-]+:)?${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${tag}>`, 'i').exec(
    xml,
  );
  if (!match?.[1]) return undefined;
  const text = match[1].replace(/^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/, '$1').trim();
  return decodeXmlEntities(text) || undefined;
}

function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_entity, code: string) => {
    const lower = code.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? '';
  });
}

function absoluteHttpUrl(value: string, base: string): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    return url.toString();
  } catch {
    return undefined;
  }
}
