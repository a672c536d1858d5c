import type { Chunk, ExtractedDocument } from '../extracted-document.ts';
import { detectLanguage } from '../search/detect-language.ts';
import { textSearchConfigFor } from '../search/text-search-config.ts';
import { hashText } from './hash-text.ts';

export interface PreparedChunk extends Chunk {
  readonly language: string;
  readonly regconfig: string;
  /** Hash of the passage text, which is also what gets embedded: the embedding cache key. */
  readonly contentHash: string;
}

export interface PreparedDocument {
  readonly language: string;
  readonly regconfig: string;
  readonly contentHash: string;
}

/** Fewer letters than this and a passage's own language guess is noise; it inherits the document's. */
const MIN_LETTERS_FOR_CHUNK_DETECTION = 40;
const UNKNOWN_LANGUAGE = 'und';

/**
 * The document's language (declared, else detected; `und` when unsure), its text-search
 * configuration and a hash of everything that shapes its chunks (`chunkerKey` names the chunker's
 * options, so changing them re-chunks).
 */
export function prepareDocument(document: ExtractedDocument, chunkerKey: string): PreparedDocument {
  const sample = `${document.title}\n${document.markdown}`;
  const language = document.language ?? detectLanguage(sample) ?? UNKNOWN_LANGUAGE;
  const contentHash = hashText(
    chunkerKey,
    document.title,
    document.url ?? '',
    document.format,
    language,
    document.markdown,
    JSON.stringify(document.faqEntries ?? []),
  );
  return { language, regconfig: textSearchConfigFor(language), contentHash };
}

/**
 * Adds language, configuration and hash to each chunk. FAQ tables often mix languages row by row,
 * so an FAQ entry long enough to judge gets its own language when the document declared none.
 */
export function prepareChunks(
  document: ExtractedDocument,
  prepared: PreparedDocument,
  chunks: readonly Chunk[],
): PreparedChunk[] {
  return chunks.map((chunk) => {
    let language = prepared.language;
    if (
      chunk.kind === 'faq' &&
      !document.language &&
      countLetters(chunk.content) >= MIN_LETTERS_FOR_CHUNK_DETECTION
    ) {
      language = detectLanguage(chunk.content) ?? prepared.language;
    }
    const regconfig = textSearchConfigFor(language);
    const contentHash = hashText(chunk.content);
    return { ...chunk, language, regconfig, contentHash };
  });
}

function countLetters(text: string): number {
  return text.match(/\p{L}/gu)?.length ?? 0;
}
