import { htmlToMarkdown, tidyMarkdown } from '../extract/html-to-markdown.ts';
import { normalizeLanguage } from '../extract/normalize-language.ts';
import { ExtractionError } from '../extract/extraction-error.ts';
import type { ExtractedDocument } from '../extracted-document.ts';

export interface ChatwootArticle {
  readonly id: number;
  readonly slug?: string | null;
  readonly title?: string | null;
  readonly content?: string | null;
  readonly locale?: string | null;
  readonly category?: { readonly locale?: string | null } | null;
}

/** The public address of an article: `{base}/hc/{portal}/articles/{article}` (Chatwoot's `generate_article_link`). */
export function chatwootArticleUrl(publicBaseUrl: string, portalSlug: string, articleSlug: string): string {
  return new URL(
    `hc/${encodeURIComponent(portalSlug)}/articles/${encodeURIComponent(articleSlug)}`,
    withSlash(publicBaseUrl),
  ).toString();
}

/**
 * An article from the Chatwoot API as a document. Chatwoot stores Markdown; some editors (and forks) store HTML,
 * which is converted. The language is the article's locale, then its category's, then the one asked for.
 * Without a slug there is no public URL, so the identity falls back to `chatwoot:{portal}/articles/{id}`.
 */
export function chatwootArticleDocument(
  article: ChatwootArticle,
  context: { publicBaseUrl: string; portalSlug: string; requestedLocale?: string },
): ExtractedDocument {
  const url = article.slug
    ? chatwootArticleUrl(context.publicBaseUrl, context.portalSlug, article.slug)
    : undefined;
  const sourceUri = url ?? `chatwoot:${context.portalSlug}/articles/${article.id}`;
  const raw = article.content ?? '';
  const markdown = looksLikeHtml(raw) ? htmlToMarkdown(raw) : tidyMarkdown(raw);
  if (!markdown)
    throw new ExtractionError('empty_document', { sourceUri, message: 'the article has no content' });
  const language = normalizeLanguage(article.locale ?? article.category?.locale ?? context.requestedLocale);
  return {
    sourceUri,
    title: article.title?.trim() || `Article ${article.id}`,
    format: 'markdown',
    markdown,
    ...(url ? { url } : {}),
    ...(language ? { language } : {}),
  };
}

function looksLikeHtml(content: string): boolean {
  const trimmed = content.trim();
  return trimmed.startsWith('<') || /<(p|h[1-6]|ul|ol|div|table)[\s>]/i.test(trimmed);
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
