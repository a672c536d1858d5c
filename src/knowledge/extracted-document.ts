/**
 * What every extractor (files, web pages, sitemaps, the Chatwoot help centre, FAQ tables) produces
 * and what the chunker and the knowledge store consume.
 */
export interface FaqEntry {
  readonly question: string;
  readonly answer: string;
}

export interface ExtractedDocument {
  /** Stable identity inside its source: a path relative to the ingested folder, or the page URL. */
  readonly sourceUri: string;
  readonly title: string;
  /** Where a citation should point (page URL, or a file path shown to humans). */
  readonly url?: string;
  readonly format: 'markdown' | 'text' | 'html' | 'pdf' | 'docx' | 'faq';
  /** The body normalised to Markdown (headings kept so passages carry their heading path). */
  readonly markdown: string;
  /** FAQ tables: one passage per entry. */
  readonly faqEntries?: readonly FaqEntry[];
  /** ISO 639-1 code when the source declares it (html lang, help-centre locale). */
  readonly language?: string;
}

/** One passage, ready to be stored and indexed. */
export interface Chunk {
  readonly index: number;
  readonly content: string;
  /** Headings above the passage, outermost first, e.g. ["Shipping", "International orders"]. */
  readonly headingPath: readonly string[];
  readonly tokenCount: number;
  readonly kind: 'passage' | 'faq';
}
