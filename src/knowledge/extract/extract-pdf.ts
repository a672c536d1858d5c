import { extractText, getDocumentProxy, getMeta } from 'unpdf';

import { coerceError } from '../../errors/coerce-error.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import { ExtractionError } from './extraction-error.ts';
import { normalizeLanguage } from './normalize-language.ts';
import { titleFromSourceUri } from './title-from-source-uri.ts';

export interface BinarySourceInput {
  readonly sourceUri: string;
  readonly data: Uint8Array;
  readonly url?: string;
}

/**
 * PDFs: text per page through unpdf (pdf.js). PDF text has no structure, so lines are re-flowed into paragraphs
 * and pages are separated by blank lines; the title comes from the document info, then the file name.
 * Scanned PDFs (images only) have no text and are reported as `empty_document` — there is no OCR.
 */
export async function extractPdf(input: BinarySourceInput): Promise<ExtractedDocument> {
  let pages: string[];
  let info: Record<string, unknown>;
  try {
    // pdf.js takes ownership of (and may detach) the buffer it is given, so it gets a copy.
    const pdf = await getDocumentProxy(new Uint8Array(input.data), { verbosity: 0 });
    try {
      pages = (await extractText(pdf, { mergePages: false })).text;
      info = (await getMeta(pdf)).info;
    } finally {
      await pdf.loadingTask.destroy();
    }
  } catch (error) {
    throw new ExtractionError('parse_failed', {
      sourceUri: input.sourceUri,
      message: `not a readable PDF (${coerceError(error).message})`,
      cause: error,
    });
  }
  const markdown = pages.map(reflowPdfPage).filter(Boolean).join('\n\n');
  if (!markdown) {
    throw new ExtractionError('empty_document', {
      sourceUri: input.sourceUri,
      message: 'the PDF has no extractable text (scanned images need OCR, which is not supported)',
      details: { pages: pages.length },
    });
  }
  const declaredTitle = typeof info.Title === 'string' ? info.Title.trim() : '';
  const language = normalizeLanguage(typeof info.Language === 'string' ? info.Language : undefined);
  return {
    sourceUri: input.sourceUri,
    title: declaredTitle || titleFromSourceUri(input.sourceUri),
    format: 'pdf',
    markdown,
    ...(input.url ? { url: input.url } : {}),
    ...(language ? { language } : {}),
  };
}

/**
 * Joins the hard-wrapped lines of a page into paragraphs: a line that ends a sentence (or is followed by a blank
 * line) closes its paragraph; words hyphenated across lines are rejoined. Lines starting with `#` are escaped so
 * they are not read as headings.
 */
export function reflowPdfPage(pageText: string): string {
  const paragraphs: string[] = [];
  let current = '';
  for (const rawLine of pageText.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.replace(/\s+/g, ' ').trim();
    if (!line) {
      if (current) paragraphs.push(current);
      current = '';
      continue;
    }
    if (!current) current = line;
    else if (/[A-Za-zÀ-ÿ]-$/.test(current)) current = current.slice(0, -1) + line;
    else current = `${current} ${line}`;
    if (/[.!?:;]["')\]]?$/.test(line)) {
      paragraphs.push(current);
      current = '';
    }
  }
  if (current) paragraphs.push(current);
  return paragraphs.map((paragraph) => paragraph.replace(/^#/, '\\#')).join('\n\n');
}
