import { estimateTokens } from './estimate-tokens.ts';
import type { Unit } from './group-sections.ts';
import type { MarkdownBlock } from './parse-markdown-blocks.ts';
import { splitOversizedBlock } from './split-oversized-block.ts';
import { splitSentences } from './split-sentences.ts';

export interface PassageBudget {
  readonly targetTokens: number;
  readonly maxTokens: number;
}

/** A unit over the hard maximum, split along its grain (see `splitOversizedBlock`). */
export function splitUnit(unit: Unit, budget: PassageBudget): Unit[] {
  const block = { kind: unit.kind, text: unit.text } as MarkdownBlock;
  return splitOversizedBlock(block, budget).map((text) => ({
    text,
    tokens: estimateTokens(text),
    kind: unit.kind,
  }));
}

/** Packs units into passage bodies up to the target, carrying an overlap of trailing blocks/sentences forward. */
export function packUnits(units: readonly Unit[], budget: PassageBudget, overlapTokens: number): string[] {
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
