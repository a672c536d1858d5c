import { extractDocx } from '../extract/extract-docx.ts';
import { extractHtml } from '../extract/extract-html.ts';
import { extractMarkdown } from '../extract/extract-markdown.ts';
import { extractPdf } from '../extract/extract-pdf.ts';
import { extractPlainText } from '../extract/extract-plain-text.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import type { SafeFetch } from './create-safe-fetch.ts';
import { extractLinks, type PageLinks } from './extract-links.ts';
import { assertOk, contentTypeOf, responseText } from './read-response.ts';
import { WebFetchError } from './web-fetch-error.ts';

export interface LoadPageOptions {
  readonly signal?: AbortSignal;
  /** See `HtmlSourceInput.contentSelector`. */
  readonly contentSelector?: string;
  readonly fallbackLanguage?: string;
}

export interface LoadedPage extends PageLinks {
  /** The URL after redirects; also the document's `sourceUri` and `url`. */
  readonly url: string;
  readonly document: ExtractedDocument;
}

const ACCEPT = 'text/html,application/xhtml+xml;q=0.9,application/pdf;q=0.8,text/plain;q=0.7,*/*;q=0.1';
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * Fetches one URL through the safe fetch and extracts it by content type (HTML, PDF, DOCX, Markdown, plain text),
 * returning the links and robots directives too (for the crawler). Non-2xx answers and other content types are
 * typed `WebFetchError`s; extraction problems are `ExtractionError`s.
 */
export async function loadPage(
  deps: { fetch: SafeFetch },
  url: string,
  options: LoadPageOptions = {},
): Promise<LoadedPage> {
  const response = assertOk(
    await deps.fetch(url, {
      headers: { accept: ACCEPT },
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  );
  const finalUrl = response.url;
  const type = contentTypeOf(response);
  const robotsHeader = (response.headers['x-robots-tag'] ?? '').toLowerCase();
  const headerDirectives = {
    noindex: /\b(noindex|none)\b/.test(robotsHeader),
    nofollow: /\b(nofollow|none)\b/.test(robotsHeader),
  };
  const noLinks = { links: [], ...headerDirectives };
  const isHtml =
    type === 'text/html' || type === 'application/xhtml+xml' || (type === '' && looksLikeHtml(response.body));
  if (isHtml) {
    const html = responseText(response);
    const document = extractHtml({
      sourceUri: finalUrl,
      html,
      url: finalUrl,
      ...(options.contentSelector ? { contentSelector: options.contentSelector } : {}),
      ...(options.fallbackLanguage ? { fallbackLanguage: options.fallbackLanguage } : {}),
    });
    const links = extractLinks(html, finalUrl);
    return {
      url: finalUrl,
      document,
      links: links.links,
      noindex: links.noindex || headerDirectives.noindex,
      nofollow: links.nofollow || headerDirectives.nofollow,
    };
  }
  const source = { sourceUri: finalUrl, url: finalUrl };
  if (type === 'application/pdf')
    return { url: finalUrl, document: await extractPdf({ ...source, data: response.body }), ...noLinks };
  if (type === DOCX_TYPE)
    return { url: finalUrl, document: await extractDocx({ ...source, data: response.body }), ...noLinks };
  if (type === 'text/markdown' || type === 'text/x-markdown') {
    return {
      url: finalUrl,
      document: extractMarkdown({ ...source, text: responseText(response) }),
      ...noLinks,
    };
  }
  if (type === 'text/plain')
    return {
      url: finalUrl,
      document: extractPlainText({ ...source, text: responseText(response) }),
      ...noLinks,
    };
  throw new WebFetchError('unsupported_content', {
    url: finalUrl,
    message: `cannot extract content of type "${type || 'unknown'}"`,
  });
}

function looksLikeHtml(body: Uint8Array): boolean {
  return /<(!doctype html|html|head|body)[\s>]/i.test(new TextDecoder().decode(body.subarray(0, 512)));
}
