import type { Chunk, ExtractedDocument } from '../extracted-document.ts';
import { estimateTokens } from './estimate-tokens.ts';
import { groupSections, type Heading, toSections } from './group-sections.ts';
import { packUnits, splitUnit } from './pack-passages.ts';
import { parseMarkdownBlocks } from './parse-markdown-blocks.ts';

export interface ChunkOptions {
  /** Passages are packed up to about this many (estimated) tokens. Default 300. */
  readonly targetTokens?: number;
  /**
   * A single block (paragraph, list, table, code) is kept whole up to this size and only split beyond it.
   * Default 512, the window of the common small embedding models.
   */
  readonly maxTokens?: number;
  /** Share of `targetTokens` repeated from the end of the previous passage of the same section. Default 0.15. */
  readonly overlapRatio?: number;
  /** Start the passage's context line with the document title (unless the first heading already is it). Default true. */
  readonly includeTitle?: boolean;
}

/**
 * Splits a document into passages for indexing. Pure and deterministic.
 *
 * - Every passage carries its heading path (`headingPath`) and starts with it as a context line
 *   (`Title > Shipping > International`), so a passage read alone still says what it is about.
 * - Blocks (paragraphs, lists, tables, code) are never cut unless one alone is over `maxTokens`; then it is split
 *   along its grain (sentences, items, rows with the header repeated, lines).
 * - Small consecutive sections are merged up to `targetTokens` (their headings stay in the text and the heading
 *   path becomes their common ancestor), so a page of many short sections does not become many tiny passages.
 * - Consecutive passages of one section overlap by whole blocks or sentences, about `overlapRatio` of the target.
 * - Each FAQ entry is exactly one passage, `Q: … A: …`, whatever its length.
 * Token counts use `estimateTokens` (words × 1.3 or characters ÷ 4, whichever is larger).
 */
export function chunkDocument(document: ExtractedDocument, options: ChunkOptions = {}): Chunk[] {
  const targetTokens = options.targetTokens ?? 300;
  const maxTokens = options.maxTokens ?? Math.max(512, targetTokens);
  const overlapRatio = options.overlapRatio ?? 0.15;
  if (!Number.isInteger(targetTokens) || targetTokens < 20)
    throw new RangeError('targetTokens must be an integer ≥ 20');
  if (!Number.isInteger(maxTokens) || maxTokens < targetTokens)
    throw new RangeError('maxTokens must be an integer ≥ targetTokens');
  if (!(overlapRatio >= 0 && overlapRatio <= 0.5))
    throw new RangeError('overlapRatio must be between 0 and 0.5');

  const passages: Omit<Chunk, 'index'>[] = [];
  if (document.format !== 'faq') {
    const contextFor = (path: readonly Heading[]): string =>
      contextLine(
        document.title,
        path.map((heading) => heading.title),
        options.includeTitle ?? true,
      );
    // The context line counts against the budget, but never squeezes the body below half of it.
    const bodyBudget = (path: readonly Heading[]): { targetTokens: number; maxTokens: number } => {
      const contextTokens = estimateTokens(contextFor(path));
      return {
        targetTokens: Math.max(Math.ceil(targetTokens / 2), targetTokens - contextTokens),
        maxTokens: Math.max(Math.ceil(maxTokens / 2), maxTokens - contextTokens),
      };
    };
    const sections = toSections(parseMarkdownBlocks(document.markdown));
    for (const group of groupSections(sections, (path) => bodyBudget(path).targetTokens)) {
      const headingPath = group.path.map((heading) => heading.title);
      const context = contextFor(group.path);
      const budget = bodyBudget(group.path);
      const units = group.units.flatMap((unit) =>
        unit.tokens > budget.maxTokens ? splitUnit(unit, budget) : [unit],
      );
      for (const body of packUnits(units, budget, Math.floor(targetTokens * overlapRatio))) {
        const content = context ? `${context}\n\n${body}` : body;
        passages.push({ content, headingPath, tokenCount: estimateTokens(content), kind: 'passage' });
      }
    }
  }
  for (const entry of document.faqEntries ?? []) {
    const question = entry.question.trim();
    const answer = entry.answer.trim();
    if (!question || !answer) continue;
    const content = `Q: ${question}\nA: ${answer}`;
    passages.push({ content, headingPath: [], tokenCount: estimateTokens(content), kind: 'faq' });
  }
  return passages.map((passage, index) => ({ index, ...passage }));
}

function contextLine(title: string, headingPath: readonly string[], includeTitle: boolean): string {
  const trimmedTitle = title.trim();
  const titleIsFirstHeading = headingPath[0]?.toLowerCase() === trimmedTitle.toLowerCase();
  const parts =
    includeTitle && trimmedTitle && !titleIsFirstHeading ? [trimmedTitle, ...headingPath] : [...headingPath];
  return parts.join(' > ');
}
