import { parse } from 'csv-parse/sync';

import { coerceError } from '../../errors/coerce-error.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import { buildFaqDocuments, type ExtractionWarning } from './build-faq-documents.ts';
import { detectFaqColumns } from './detect-faq-columns.ts';
import type { TextSourceInput } from './extract-markdown.ts';
import { ExtractionError } from './extraction-error.ts';
import { titleFromSourceUri } from './title-from-source-uri.ts';

export interface FaqExtractionOptions {
  /** Receives rows that were skipped because they were half filled. */
  readonly onWarning?: (warning: ExtractionWarning) => void;
}

/**
 * FAQ tables saved as CSV (comma, semicolon or tab separated — spreadsheets in pt/es locales save with `;`).
 * See `detectFaqColumns` for the header names; a table without them is an `faq_columns_not_found` error.
 */
export function extractFaqCsv(
  input: TextSourceInput,
  options: FaqExtractionOptions = {},
): ExtractedDocument[] {
  const text = input.text.replace(/^\uFEFF/, '');
  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter: detectDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    });
  } catch (error) {
    throw new ExtractionError('parse_failed', {
      sourceUri: input.sourceUri,
      message: `not a readable CSV file (${coerceError(error).message})`,
      cause: error,
    });
  }
  return faqTableToDocuments(
    { sourceUri: input.sourceUri, defaultTitle: titleFromSourceUri(input.sourceUri), rows },
    options,
  );
}

/** Shared by the CSV and XLSX readers: detect columns, build documents, report problems. */
export function faqTableToDocuments(
  table: { sourceUri: string; defaultTitle: string; rows: readonly (readonly string[])[] },
  options: FaqExtractionOptions,
): ExtractedDocument[] {
  const columns = detectFaqColumns(table.rows);
  if (!columns) {
    throw new ExtractionError('faq_columns_not_found', {
      sourceUri: table.sourceUri,
      message:
        'no question and answer columns found: name the header cells "question" and "answer" ' +
        '(or pergunta/resposta, pregunta/respuesta, q/a)',
      details: { firstRow: table.rows[0] ?? [] },
    });
  }
  const { documents, warnings } = buildFaqDocuments({ ...table, columns });
  for (const warning of warnings) options.onWarning?.(warning);
  if (documents.length === 0) {
    throw new ExtractionError('empty_document', {
      sourceUri: table.sourceUri,
      message: 'the FAQ table has no filled rows',
    });
  }
  return documents;
}

/** Picks the separator that occurs most often on the first line, quoted text excluded. */
export function detectDelimiter(text: string): string {
  const firstLine = (text.split(/\r?\n/, 1)[0] ?? '').replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((delimiter) => ({
    delimiter,
    count: firstLine.split(delimiter).length - 1,
  }));
  counts.sort((left, right) => right.count - left.count);
  return counts[0] && counts[0].count > 0 ? counts[0].delimiter : ',';
}
