import type { ExtractedDocument, FaqEntry } from '../extracted-document.ts';
import type { FaqColumns } from './detect-faq-columns.ts';
import { normalizeLanguage } from './normalize-language.ts';

/** Something worth telling the operator that did not stop the extraction (a half-filled FAQ row, …). */
export interface ExtractionWarning {
  readonly sourceUri: string;
  readonly message: string;
}

export interface BuildFaqDocumentsInput {
  /** Identity of the table (file, or file#sheet). */
  readonly sourceUri: string;
  readonly defaultTitle: string;
  readonly rows: readonly (readonly string[])[];
  readonly columns: FaqColumns;
  /** 1-based number of the first row in `rows`, for messages that match what a spreadsheet shows. */
  readonly firstRowNumber?: number;
}

export interface BuildFaqDocumentsResult {
  readonly documents: ExtractedDocument[];
  readonly warnings: ExtractionWarning[];
}

interface Group {
  readonly title: string;
  readonly url: string | undefined;
  readonly language: string | undefined;
  readonly entries: FaqEntry[];
}

/**
 * Turns FAQ table rows into documents: one `FaqEntry` per row, grouped into one document per distinct
 * (title, url, language) so each entry keeps the citation and language of its row. Blank rows are skipped
 * silently; rows with only a question or only an answer are skipped with a warning.
 */
export function buildFaqDocuments(input: BuildFaqDocumentsInput): BuildFaqDocumentsResult {
  const { columns } = input;
  const groups = new Map<string, Group>();
  const warnings: ExtractionWarning[] = [];
  const firstRowNumber = input.firstRowNumber ?? 1;
  input.rows.forEach((row, rowIndex) => {
    if (rowIndex <= columns.headerRow) return;
    const cell = (column: number | undefined): string =>
      column === undefined ? '' : (row[column] ?? '').trim();
    const question = cell(columns.question);
    const answer = cell(columns.answer);
    if (!question && !answer) return;
    if (!question || !answer) {
      warnings.push({
        sourceUri: input.sourceUri,
        message: `row ${firstRowNumber + rowIndex} skipped: it has ${question ? 'a question but no answer' : 'an answer but no question'}`,
      });
      return;
    }
    const title = cell(columns.title) || input.defaultTitle;
    const url = httpUrlOrUndefined(cell(columns.url));
    const language = normalizeLanguage(cell(columns.language));
    const key = JSON.stringify([title, url ?? '', language ?? '']);
    const group = groups.get(key) ?? { title, url, language, entries: [] };
    group.entries.push({ question, answer });
    groups.set(key, group);
  });
  return { documents: toDocuments(input, [...groups.values()]), warnings };
}

function toDocuments(input: BuildFaqDocumentsInput, groups: Group[]): ExtractedDocument[] {
  const usedSuffixes = new Set<string>();
  const single =
    groups.length === 1 && groups[0]?.title === input.defaultTitle && !groups[0].url && !groups[0].language;
  return groups.map((group) => {
    const sourceUri = single
      ? input.sourceUri
      : `${input.sourceUri}${input.sourceUri.includes('#') ? '/' : '#'}${uniqueSuffix(group, usedSuffixes)}`;
    return {
      sourceUri,
      title: group.title,
      format: 'faq',
      markdown: group.entries.map((entry) => `## ${entry.question}\n\n${entry.answer}`).join('\n\n'),
      faqEntries: group.entries,
      ...(group.url ? { url: group.url } : {}),
      ...(group.language ? { language: group.language } : {}),
    } satisfies ExtractedDocument;
  });
}

function uniqueSuffix(group: Group, used: Set<string>): string {
  const base = [slugify(group.url ?? group.title), group.language].filter(Boolean).join('-') || 'faq';
  let suffix = base;
  for (let counter = 2; used.has(suffix); counter += 1) suffix = `${base}-${counter}`;
  used.add(suffix);
  return suffix;
}

export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

function httpUrlOrUndefined(value: string): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
