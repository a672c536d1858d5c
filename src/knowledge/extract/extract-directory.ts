import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

import { coerceError } from '../../errors/coerce-error.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import type { ExtractionWarning } from './build-faq-documents.ts';
import { DEFAULT_MAX_FILE_BYTES, extractFile, isSupportedFile } from './extract-file.ts';
import { ExtractionError } from './extraction-error.ts';

export interface ExtractDirectoryOptions {
  /** Stops walking after this many supported files (the rest are reported as skipped). Default 10 000. */
  readonly maxFiles?: number;
  readonly maxBytesPerFile?: number;
  readonly onProgress?: (event: { sourceUri: string; outcome: 'extracted' | 'failed'; done: number }) => void;
}

export interface SkippedFile {
  readonly sourceUri: string;
  readonly reason: 'unsupported_format' | 'symbolic_link' | 'file_limit';
}

export interface ExtractDirectoryResult {
  readonly documents: ExtractedDocument[];
  /** Files we tried to read and could not; the rest of the folder still counts. */
  readonly errors: { readonly sourceUri: string; readonly error: ExtractionError }[];
  readonly skipped: SkippedFile[];
  readonly warnings: ExtractionWarning[];
}

/**
 * Extracts every supported file under `directory`, recursively and in a stable (sorted) order. Hidden files and
 * folders (dot-names) are ignored; symbolic links are not followed (a link can leave the folder or loop).
 * `sourceUri` is the path relative to `directory`, with forward slashes on every OS.
 */
export async function extractDirectory(
  directory: string,
  options: ExtractDirectoryOptions = {},
): Promise<ExtractDirectoryResult> {
  const maxFiles = options.maxFiles ?? 10_000;
  const result: ExtractDirectoryResult = { documents: [], errors: [], skipped: [], warnings: [] };
  let done = 0;
  for await (const { fullPath, entry } of walk(directory)) {
    const sourceUri = path.relative(directory, fullPath).split(path.sep).join('/');
    if (entry.isSymbolicLink()) {
      result.skipped.push({ sourceUri, reason: 'symbolic_link' });
      continue;
    }
    if (!isSupportedFile(entry.name)) {
      result.skipped.push({ sourceUri, reason: 'unsupported_format' });
      continue;
    }
    if (done >= maxFiles) {
      result.skipped.push({ sourceUri, reason: 'file_limit' });
      continue;
    }
    done += 1;
    try {
      const documents = await extractFile(fullPath, {
        sourceUri,
        maxBytes: options.maxBytesPerFile ?? DEFAULT_MAX_FILE_BYTES,
        onWarning: (warning) => result.warnings.push(warning),
      });
      result.documents.push(...documents);
      options.onProgress?.({ sourceUri, outcome: 'extracted', done });
    } catch (error) {
      const extractionError =
        error instanceof ExtractionError
          ? error
          : new ExtractionError('parse_failed', {
              sourceUri,
              message: coerceError(error).message,
              cause: error,
            });
      result.errors.push({ sourceUri, error: extractionError });
      options.onProgress?.({ sourceUri, outcome: 'failed', done });
    }
  }
  return result;
}

async function* walk(directory: string): AsyncGenerator<{ fullPath: string; entry: Dirent }> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const fullPath = path.join(directory, entry.name);
    if (entry.isDirectory()) yield* walk(fullPath);
    else if (entry.isFile() || entry.isSymbolicLink()) yield { fullPath, entry };
  }
}
