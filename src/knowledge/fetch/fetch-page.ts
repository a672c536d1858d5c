import type { ExtractedDocument } from '../extracted-document.ts';
import type { SafeFetch } from './create-safe-fetch.ts';
import { loadPage, type LoadPageOptions } from './load-page.ts';

/**
 * One web page (or a linked PDF/DOCX/text file) as a document; `sourceUri` and `url` are the URL after redirects.
 * The page language comes from `<html lang>`.
 */
export async function fetchPage(
  deps: { fetch: SafeFetch },
  url: string,
  options: LoadPageOptions = {},
): Promise<ExtractedDocument> {
  return (await loadPage(deps, url, options)).document;
}
