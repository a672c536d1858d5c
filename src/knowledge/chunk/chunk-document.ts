import type { Chunk, ExtractedDocument } from '../extracted-document.ts';
import { estimateTokens } from './estimate-tokens.ts';
import { type MarkdownBlock, parseMarkdownBlocks } from './parse-markdown-blocks.ts';
import { splitOversizedBlock } from './split-oversized-block.ts';
import { splitSentences } from './split-sentences.ts';

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

interface Heading {
  readonly level: number;
  readonly title: string;
}

interface Section {
  readonly path: readonly Heading[];
  readonly blocks: readonly MarkdownBlock[];
}

interface Unit {
  readonly text: string;
  readonly tokens: number;
  readonly kind: MarkdownBlock['kind'];
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

function toSections(blocks: readonly MarkdownBlock[]): Section[] {
  const sections: { path: Heading[]; blocks: MarkdownBlock[] }[] = [{ path: [], blocks: [] }];
  let path: Heading[] = [];
  for (const block of blocks) {
    if (block.kind === 'heading') {
      path = [
        ...path.filter((heading) => heading.level < block.level),
        { level: block.level, title: block.title },
      ];
      sections.push({ path, blocks: [] });
    } else {
      sections.at(-1)?.blocks.push(block);
    }
  }
  return sections;
}

/**
 * Greedily merges consecutive sections while they fit in `targetTokens` together. A merged group's path is the
 * common prefix of its sections' paths, and the headings below that prefix are kept as lines in the text.
 */
function groupSections(
  sections: readonly Section[],
  targetFor: (path: readonly Heading[]) => number,
): { path: readonly Heading[]; units: Unit[] }[] {
  const groups: { sections: Section[]; tokens: number }[] = [];
  for (const section of sections) {
    const tokens = section.blocks.reduce((sum, block) => sum + estimateTokens(block.text), 0);
    const last = groups.at(-1);
    const headingTokens = section.path.length ? estimateTokens(section.path.at(-1)?.title ?? '') + 1 : 0;
    const mergedPath = last
      ? commonPrefix(
          [...last.sections, section].filter((item) => item.blocks.length > 0).map((item) => item.path),
        )
      : [];
    if (last && last.tokens + tokens + headingTokens <= targetFor(mergedPath)) {
      last.sections.push(section);
      last.tokens += tokens + headingTokens;
    } else {
      groups.push({ sections: [section], tokens });
    }
  }
  return groups
    .map((group) => {
      // Heading-only sections (a heading directly followed by a sub-heading) add nothing but the path segments
      // their sub-sections already carry, so they do not shorten the group path.
      const withContent = group.sections.filter((section) => section.blocks.length > 0);
      const path = commonPrefix(withContent.map((section) => section.path));
      const units: Unit[] = [];
      let written: readonly Heading[] = path;
      for (const section of withContent) {
        // Write the headings of this section that are below the group path and not written yet.
        section.path.forEach((heading, depth) => {
          if (depth >= path.length && written[depth] !== heading) {
            const text = `${'#'.repeat(heading.level)} ${heading.title}`;
            units.push({ text, tokens: estimateTokens(text), kind: 'heading' });
          }
        });
        written = section.path;
        for (const block of section.blocks)
          units.push({ text: block.text, tokens: estimateTokens(block.text), kind: block.kind });
      }
      return { path, units };
    })
    .filter((group) => group.units.length > 0);
}

function commonPrefix(paths: readonly (readonly Heading[])[]): readonly Heading[] {
  const [first = [], ...rest] = paths;
  let length = first.length;
  for (const path of rest) {
    let shared = 0;
    while (shared < length && path[shared] === first[shared]) shared += 1;
    length = shared;
  }
  return first.slice(0, length);
}

function splitUnit(unit: Unit, budget: { targetTokens: number; maxTokens: number }): Unit[] {
  const block = { kind: unit.kind, text: unit.text } as MarkdownBlock;
  return splitOversizedBlock(block, budget).map((text) => ({
    text,
    tokens: estimateTokens(text),
    kind: unit.kind,
  }));
}

/** Packs units into passage bodies up to the target, carrying an overlap of trailing blocks/sentences forward. */
function packUnits(
  units: readonly Unit[],
  budget: { targetTokens: number; maxTokens: number },
  overlapTokens: number,
): string[] {
  const bodies: string[] = [];
  let current: Unit[] = [];
  let currentTokens = 0;
  let hasNewContent = false;
  for (const unit of units) {
    if (hasNewContent && currentTokens + unit.tokens > budget.targetTokens) {
      // A passage never ends on a heading: it moves on with the content it introduces.
      const carried: Unit[] = [];
      while (current.at(-1)?.kind === 'heading') carried.unshift(current.pop() as Unit);
      bodies.push(current.map((item) => item.text).join('\n\n'));
      const overlap = overlapFrom(current, overlapTokens);
      current = [
        ...(overlap.reduce((sum, item) => sum + item.tokens, 0) + unit.tokens <= budget.maxTokens
          ? overlap
          : []),
        ...carried,
      ];
      currentTokens = current.reduce((sum, item) => sum + item.tokens, 0);
      hasNewContent = false;
    }
    current.push(unit);
    currentTokens += unit.tokens;
    if (unit.kind !== 'heading') hasNewContent = true;
  }
  if (hasNewContent) bodies.push(current.map((item) => item.text).join('\n\n'));
  return bodies;
}

/** Whole trailing blocks that fit the overlap budget; otherwise the trailing sentences of a closing paragraph. */
function overlapFrom(units: readonly Unit[], overlapTokens: number): Unit[] {
  if (overlapTokens <= 0) return [];
  const taken: Unit[] = [];
  let tokens = 0;
  for (let index = units.length - 1; index >= 0; index -= 1) {
    const unit = units[index] as Unit;
    if (unit.kind === 'heading') break;
    if (tokens + unit.tokens <= overlapTokens) {
      taken.unshift(unit);
      tokens += unit.tokens;
      continue;
    }
    if (taken.length === 0 && unit.kind === 'paragraph') {
      const sentences: string[] = [];
      for (const sentence of splitSentences(unit.text).reverse()) {
        const next = [sentence, ...sentences].join(' ');
        if (estimateTokens(next) > overlapTokens) break;
        sentences.unshift(sentence);
      }
      if (sentences.length > 0) {
        const text = sentences.join(' ');
        taken.unshift({ text, tokens: estimateTokens(text), kind: 'paragraph' });
      }
    }
    break;
  }
  return taken;
}

function contextLine(title: string, headingPath: readonly string[], includeTitle: boolean): string {
  const trimmedTitle = title.trim();
  const titleIsFirstHeading = headingPath[0]?.toLowerCase() === trimmedTitle.toLowerCase();
  const parts =
    includeTitle && trimmedTitle && !titleIsFirstHeading ? [trimmedTitle, ...headingPath] : [...headingPath];
  return parts.join(' > ');
}
