import { estimateTokens } from './estimate-tokens.ts';
import type { MarkdownBlock } from './parse-markdown-blocks.ts';
import { splitSentences } from './split-sentences.ts';

export interface BlockBudget {
  /** Pieces are packed up to this size… */
  readonly targetTokens: number;
  /** …and a single sentence, row or line is cut only beyond this one. */
  readonly maxTokens: number;
}

const LIST_MARKER = /^( {0,3})(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;

/**
 * Splits a block that is over the hard maximum into pieces along its own grain, each kept under `maxTokens`:
 * paragraphs and quotes by sentence, lists by item, tables by row (repeating the header row so every piece is still
 * a readable table), code by line (re-fenced). Only a single sentence, row or line over the maximum is cut by words.
 */
export function splitOversizedBlock(block: MarkdownBlock, budget: BlockBudget): string[] {
  switch (block.kind) {
    case 'heading':
      return [block.text];
    case 'paragraph':
      return pack(sentencesWithin(block.text, budget.maxTokens), ' ', budget.targetTokens);
    case 'quote': {
      const text = block.text.replace(/^ {0,3}> ?/gm, '');
      return pack(sentencesWithin(text, budget.maxTokens), ' ', budget.targetTokens).map(
        (piece) => `> ${piece}`,
      );
    }
    case 'list':
      return pack(
        listItems(block.text).flatMap((item) =>
          estimateTokens(item) > budget.maxTokens ? sentencesWithin(item, budget.maxTokens) : [item],
        ),
        '\n',
        budget.targetTokens,
      );
    case 'table':
      return splitTable(block.text, budget);
    case 'code':
      return splitCode(block.text, budget);
  }
}

function splitTable(text: string, budget: BlockBudget): string[] {
  const [header = '', delimiter = '', ...rows] = text.split('\n');
  const head = `${header}\n${delimiter}`;
  const rowBudget = Math.max(1, budget.targetTokens - estimateTokens(head));
  const rowMax = Math.max(1, budget.maxTokens - estimateTokens(head));
  const pieces = pack(
    rows.flatMap((row) => (estimateTokens(row) > rowMax ? sentencesWithin(row, rowMax) : [row])),
    '\n',
    rowBudget,
  );
  return pieces.map((piece) => `${head}\n${piece}`);
}

function splitCode(text: string, budget: BlockBudget): string[] {
  const lines = text.split('\n');
  const opener = lines[0] ?? '```';
  const fence = /^ {0,3}(`{3,}|~{3,})/.exec(opener)?.[1] ?? '```';
  const hasCloser =
    lines.length > 1 &&
    new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(lines.at(-1) ?? '');
  const body = lines.slice(1, hasCloser ? -1 : undefined);
  const wrapperTokens = estimateTokens(`${opener}\n${fence}`);
  const lineMax = Math.max(1, budget.maxTokens - wrapperTokens);
  const pieces = pack(
    body.flatMap((line) => (estimateTokens(line) > lineMax ? hardSplit(line, lineMax) : [line])),
    '\n',
    Math.max(1, budget.targetTokens - wrapperTokens),
  );
  return pieces.map((piece) => `${opener}\n${piece}\n${fence}`);
}

/** Top-level items of a list (nested lines stay with their item). */
function listItems(text: string): string[] {
  const lines = text.split('\n');
  const indent = LIST_MARKER.exec(lines[0] ?? '')?.[1]?.length ?? 0;
  const items: string[][] = [];
  for (const line of lines) {
    const marker = LIST_MARKER.exec(line);
    if (marker && (marker[1]?.length ?? 0) === indent) items.push([line]);
    else if (items.length > 0) items.at(-1)?.push(line);
    else items.push([line]);
  }
  return items.map((item) => item.join('\n').replace(/\n+$/, '')).filter((item) => item.trim());
}

function sentencesWithin(text: string, maxTokens: number): string[] {
  return splitSentences(text).flatMap((sentence) =>
    estimateTokens(sentence) > maxTokens ? hardSplit(sentence, maxTokens) : [sentence],
  );
}

/** Last resort for a single sentence/line over the maximum: cut between words, or inside a giant word. */
function hardSplit(text: string, maxTokens: number): string[] {
  const words = text
    .split(/(?<=\s)/)
    .flatMap((word) =>
      estimateTokens(word) > maxTokens
        ? (word.match(new RegExp(`[\\s\\S]{1,${maxTokens * 4}}`, 'g')) ?? [])
        : [word],
    );
  // Words keep their trailing whitespace, so joining with nothing restores the original spacing.
  return pack(words, '', maxTokens)
    .map((piece) => piece.trim())
    .filter(Boolean);
}

/** Greedily joins consecutive parts while the joined text stays within `budget` tokens. */
export function pack(parts: readonly string[], joiner: string, budget: number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const part of parts) {
    const candidate = current ? `${current}${joiner}${part}` : part;
    if (current && estimateTokens(candidate) > budget) {
      pieces.push(current);
      current = part;
    } else {
      current = candidate;
    }
  }
  if (current) pieces.push(current);
  return pieces;
}
