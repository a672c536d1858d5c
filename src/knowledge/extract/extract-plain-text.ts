import type { ExtractedDocument } from '../extracted-document.ts';
import { ExtractionError } from './extraction-error.ts';
import type { TextSourceInput } from './extract-markdown.ts';
import { titleFromSourceUri } from './title-from-source-uri.ts';

/**
 * Plain text: kept as is (paragraphs are separated by blank lines, which is all the chunker needs). Lines that
 * happen to start with `#` are escaped so they are not mistaken for headings.
 */
export function extractPlainText(input: TextSourceInput): ExtractedDocument {
  const text = input.text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (!text) {
    throw new ExtractionError('empty_document', {
      sourceUri: input.sourceUri,
      message: 'the text file is empty',
    });
  }
  return {
    sourceUri: input.sourceUri,
    title: titleFromSourceUri(input.sourceUri),
    format: 'text',
    markdown: text.replace(/^(\s*)#/gm, '$1\\#'),
    ...(input.url ? { url: input.url } : {}),
  };
}
