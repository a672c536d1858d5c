import mammoth from 'mammoth';

import { coerceError } from '../../errors/coerce-error.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import type { BinarySourceInput } from './extract-pdf.ts';
import { ExtractionError } from './extraction-error.ts';
import { htmlToMarkdown } from './html-to-markdown.ts';
import { titleFromSourceUri } from './title-from-source-uri.ts';

/**
 * Word documents: mammoth maps Word's heading styles to `<h1>`…`<h6>` (and lists and tables to HTML), and the HTML
 * is converted to Markdown so the headings survive into passage heading paths. The title is the first level-1
 * heading, then the file name.
 */
export async function extractDocx(input: BinarySourceInput): Promise<ExtractedDocument> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(input.data) })).value;
  } catch (error) {
    throw new ExtractionError('parse_failed', {
      sourceUri: input.sourceUri,
      message: `not a readable DOCX file (${coerceError(error).message})`,
      cause: error,
    });
  }
  const markdown = htmlToMarkdown(html);
  if (!markdown) {
    throw new ExtractionError('empty_document', {
      sourceUri: input.sourceUri,
      message: 'the document has no text',
    });
  }
  const firstHeading = /^#[ \t]+(.+)$/m.exec(markdown)?.[1]?.trim();
  return {
    sourceUri: input.sourceUri,
    title: firstHeading || titleFromSourceUri(input.sourceUri),
    format: 'docx',
    markdown,
    ...(input.url ? { url: input.url } : {}),
  };
}
