import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import type { ExtractedDocument } from '../extracted-document.ts';
import { extractDocx } from './extract-docx.ts';
import { extractFaqCsv, type FaqExtractionOptions } from './extract-faq-csv.ts';
import { extractFaqXlsx } from './extract-faq-xlsx.ts';
import { extractHtml } from './extract-html.ts';
import { extractMarkdown } from './extract-markdown.ts';
import { extractPdf } from './extract-pdf.ts';
import { extractPlainText } from './extract-plain-text.ts';
import { ExtractionError } from './extraction-error.ts';

/** File extensions we parse, lower-case with the dot. */
export const SUPPORTED_EXTENSIONS: readonly string[] = [
  '.md',
  '.markdown',
  '.mdx',
  '.txt',
  '.text',
  '.html',
  '.htm',
  '.pdf',
  '.docx',
  '.csv',
  '.xlsx',
];

/** 50 MiB: bigger knowledge files are almost always exports or media by mistake. */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

export interface FileContentInput {
  /** Identity stored with the documents (relative path, upload name). */
  readonly sourceUri: string;
  /** Decides the parser by extension; defaults to `sourceUri`. */
  readonly fileName?: string;
  readonly data: Uint8Array;
}

export function isSupportedFile(fileName: string): boolean {
  return SUPPORTED_EXTENSIONS.includes(path.extname(fileName).toLowerCase());
}

/** Parses file bytes (e.g. an upload) by extension. Tables give one document per FAQ group, others one document. */
export async function extractFileContent(
  input: FileContentInput,
  options: FaqExtractionOptions = {},
): Promise<ExtractedDocument[]> {
  const extension = path.extname(input.fileName ?? input.sourceUri).toLowerCase();
  const { sourceUri, data } = input;
  const text = (): string => new TextDecoder('utf-8').decode(data);
  switch (extension) {
    case '.md':
    case '.markdown':
    case '.mdx':
      return [extractMarkdown({ sourceUri, text: text() })];
    case '.txt':
    case '.text':
      return [extractPlainText({ sourceUri, text: text() })];
    case '.html':
    case '.htm':
      return [extractHtml({ sourceUri, html: text() })];
    case '.pdf':
      return [await extractPdf({ sourceUri, data })];
    case '.docx':
      return [await extractDocx({ sourceUri, data })];
    case '.csv':
      return extractFaqCsv({ sourceUri, text: text() }, options);
    case '.xlsx':
      return extractFaqXlsx({ sourceUri, data }, options);
    default:
      throw new ExtractionError('unsupported_format', {
        sourceUri,
        message: `unsupported file type "${extension || '(none)'}" (supported: ${SUPPORTED_EXTENSIONS.join(', ')})`,
      });
  }
}

export interface ExtractFileOptions extends FaqExtractionOptions {
  /** Defaults to the file name. */
  readonly sourceUri?: string;
  readonly maxBytes?: number;
}

/** Reads and parses one file from disk; see `extractFileContent`. */
export async function extractFile(
  filePath: string,
  options: ExtractFileOptions = {},
): Promise<ExtractedDocument[]> {
  const sourceUri = options.sourceUri ?? path.basename(filePath);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!isSupportedFile(filePath)) {
    throw new ExtractionError('unsupported_format', {
      sourceUri,
      message: `unsupported file type "${path.extname(filePath) || '(none)'}" (supported: ${SUPPORTED_EXTENSIONS.join(', ')})`,
    });
  }
  let data: Uint8Array;
  try {
    const { size } = await stat(filePath);
    if (size > maxBytes) {
      throw new ExtractionError('too_large', {
        sourceUri,
        message: `the file is ${size} bytes, over the ${maxBytes}-byte limit`,
        details: { size, maxBytes },
      });
    }
    data = await readFile(filePath);
  } catch (error) {
    if (error instanceof ExtractionError) throw error;
    throw new ExtractionError('read_failed', {
      sourceUri,
      message: 'the file could not be read',
      cause: error,
    });
  }
  return extractFileContent({ sourceUri, fileName: filePath, data }, options);
}
