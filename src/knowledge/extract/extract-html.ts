import { Readability } from '@mozilla/readability';

import type { ExtractedDocument } from '../extracted-document.ts';
import { ExtractionError } from './extraction-error.ts';
import { elementToMarkdown } from './html-to-markdown.ts';
import { normalizeLanguage } from './normalize-language.ts';
import { type HtmlDocument, type HtmlElement, parseHtmlDocument } from './parse-html-document.ts';
import { titleFromSourceUri } from './title-from-source-uri.ts';

export interface HtmlSourceInput {
  readonly sourceUri: string;
  readonly html: string;
  /** The page URL: cited, and the base for relative links. */
  readonly url?: string;
  /**
   * CSS selector of the element that holds the content when the caller knows the page template (the Chatwoot
   * help centre's `#cw-article-content`). Skips Readability's guesswork; falls back to it when nothing matches.
   */
  readonly contentSelector?: string;
  /** Used when the page declares no `<html lang>` (e.g. the help-centre locale from the URL). */
  readonly fallbackLanguage?: string;
  /** Overrides the title found in the page (a caller that already knows it, e.g. from an API). */
  readonly title?: string;
}

/** Layout chrome removed when Readability finds no article and we fall back to the whole page. */
const BOILERPLATE_SELECTOR =
  'nav, header, footer, aside, [role="navigation"], [role="banner"], [role="contentinfo"]';

/**
 * HTML pages: Readability isolates the main content (menus, footers and cookie banners go), turndown turns it into
 * Markdown with headings intact, and `<html lang>` becomes the document language.
 */
export function extractHtml(input: HtmlSourceInput): ExtractedDocument {
  const document = parseHtmlDocument(input.html);
  const language = normalizeLanguage(declaredLanguage(document)) ?? normalizeLanguage(input.fallbackLanguage);
  const pageTitle = findPageTitle(document);
  const selected = input.contentSelector ? document.querySelector(input.contentSelector) : null;
  const { content, readableTitle } = selected
    ? { content: selected, readableTitle: undefined }
    : findMainContent(input.html, document);
  const markdown = elementToMarkdown(content, input.url ? { baseUrl: input.url } : {});
  if (!markdown) {
    throw new ExtractionError('empty_document', {
      sourceUri: input.sourceUri,
      message: 'the page has no readable text',
    });
  }
  const title =
    input.title?.trim() ||
    pageTitle ||
    readableTitle ||
    clean(document.title) ||
    titleFromSourceUri(input.sourceUri);
  return {
    sourceUri: input.sourceUri,
    title,
    format: 'html',
    markdown,
    ...(input.url ? { url: input.url } : {}),
    ...(language ? { language } : {}),
  };
}

function declaredLanguage(document: HtmlDocument): string | undefined {
  return (
    document.documentElement.getAttribute('lang') ??
    document.documentElement.getAttribute('xml:lang') ??
    Array.from(document.querySelectorAll('meta[http-equiv]'))
      .find((meta) => meta.getAttribute('http-equiv')?.toLowerCase() === 'content-language')
      ?.getAttribute('content') ??
    undefined
  );
}

/** `og:title` and the first `<h1>` are usually the bare article title; `<title>` often carries the site name. */
function findPageTitle(document: HtmlDocument): string | undefined {
  return (
    clean(document.querySelector('meta[property="og:title"]')?.getAttribute('content')) ??
    clean(document.querySelector('h1')?.textContent)
  );
}

function clean(text: string | null | undefined): string | undefined {
  return text?.replace(/\s+/g, ' ').trim() || undefined;
}

function findMainContent(
  html: string,
  document: HtmlDocument,
): { content: HtmlElement; readableTitle?: string } {
  // Readability mutates the document it reads, so it gets its own copy and the original stays as the fallback.
  const article = new Readability<HtmlElement>(parseHtmlDocument(html), {
    serializer: (node) => node as HtmlElement,
  }).parse();
  const readableTitle = clean(article?.title);
  if (article?.content && article.textContent?.trim()) {
    return { content: article.content, ...(readableTitle ? { readableTitle } : {}) };
  }
  const container =
    document.querySelector('main') ??
    document.querySelector('[role="main"]') ??
    document.querySelector('article') ??
    document.body;
  if (!container) return { content: document.documentElement };
  for (const chrome of Array.from(container.querySelectorAll(BOILERPLATE_SELECTOR))) chrome.remove();
  return { content: container, ...(readableTitle ? { readableTitle } : {}) };
}
