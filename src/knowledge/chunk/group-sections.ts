import { estimateTokens } from './estimate-tokens.ts';
import type { MarkdownBlock } from './parse-markdown-blocks.ts';

export interface Heading {
  readonly level: number;
  readonly title: string;
}

export interface Section {
  readonly path: readonly Heading[];
  readonly blocks: readonly MarkdownBlock[];
}

export interface Unit {
  readonly text: string;
  readonly tokens: number;
  readonly kind: MarkdownBlock['kind'];
}

/** Cuts the block list at headings; each section knows its full heading path (outermost first). */
export function toSections(blocks: readonly MarkdownBlock[]): Section[] {
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
export function groupSections(
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
