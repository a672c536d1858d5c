import { parse as parseYaml } from 'yaml';

import type { ExtractedDocument } from '../extracted-document.ts';
import { ExtractionError } from './extraction-error.ts';
import { normalizeLanguage } from './normalize-language.ts';
import { tidyMarkdown } from './html-to-markdown.ts';
import { titleFromSourceUri } from './title-from-source-uri.ts';

export interface TextSourceInput {
  /** Stable identity inside the source (relative path or URL). */
  readonly sourceUri: string;
  readonly text: string;
  /** Where citations should point; defaults to nothing for files. */
  readonly url?: string;
}

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)/;

/**
 * Markdown files: YAML front matter (`title`, `lang`/`language`) is read and removed; otherwise the title is the
 * first level-1 heading, then the file name.
 */
export function extractMarkdown(input: TextSourceInput): ExtractedDocument {
  const normalised = input.text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const { body, frontMatter } = splitFrontMatter(normalised);
  const markdown = tidyMarkdown(body);
  if (!markdown) {
    throw new ExtractionError('empty_document', {
      sourceUri: input.sourceUri,
      message: 'the Markdown file has no text',
    });
  }
  const firstHeading = /^#[ \t]+(.+?)[ \t#]*$/m.exec(markdown)?.[1];
  const title =
    stringField(frontMatter, 'title') ?? firstHeading?.trim() ?? titleFromSourceUri(input.sourceUri);
  const language = normalizeLanguage(
    stringField(frontMatter, 'lang') ?? stringField(frontMatter, 'language'),
  );
  return {
    sourceUri: input.sourceUri,
    title,
    format: 'markdown',
    markdown,
    ...(input.url ? { url: input.url } : {}),
    ...(language ? { language } : {}),
  };
}

function splitFrontMatter(text: string): { body: string; frontMatter: Record<string, unknown> } {
  const match = FRONT_MATTER.exec(text);
  if (!match) return { body: text, frontMatter: {} };
  try {
    const parsed: unknown = parseYaml(match[1] ?? '');
    const frontMatter = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    return { body: text.slice(match[0].length), frontMatter };
  } catch {
    // Not YAML after all (e.g. a document that opens with a horizontal rule): keep the text untouched.
    return { body: text, frontMatter: {} };
  }
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
