/**
 * Markdown as a flat list of blocks — just enough structure for chunking: headings (with their level),
 * paragraphs, lists, tables, fenced code and block quotes. Thematic breaks are dropped.
 */
export type MarkdownBlock =
  | { readonly kind: 'heading'; readonly level: number; readonly title: string; readonly text: string }
  | { readonly kind: 'paragraph' | 'list' | 'table' | 'code' | 'quote'; readonly text: string };

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;
const QUOTE = /^ {0,3}>/;
const TABLE_DELIMITER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const INDENTED = /^(?: {2,}|\t)/;

export function parseMarkdownBlocks(markdown: string): MarkdownBlock[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: MarkdownBlock[] = [];
  let index = 0;
  const isTableStart = (at: number): boolean =>
    (lines[at] ?? '').includes('|') &&
    TABLE_DELIMITER.test(lines[at + 1] ?? '') &&
    (lines[at + 1] ?? '').includes('-');
  const startsBlock = (at: number): boolean => {
    const line = lines[at] ?? '';
    return (
      FENCE.test(line) ||
      ATX_HEADING.test(line) ||
      LIST_ITEM.test(line) ||
      QUOTE.test(line) ||
      THEMATIC_BREAK.test(line) ||
      isTableStart(at)
    );
  };

  while (index < lines.length) {
    const line = lines[index] ?? '';
    if (!line.trim()) {
      index += 1;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence?.[1]) {
      const marker = fence[1];
      const closing = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`);
      let end = index + 1;
      while (end < lines.length && !closing.test(lines[end] ?? '')) end += 1;
      blocks.push({ kind: 'code', text: lines.slice(index, Math.min(end + 1, lines.length)).join('\n') });
      index = end + 1;
      continue;
    }
    const heading = ATX_HEADING.exec(line);
    if (heading?.[1]) {
      blocks.push(headingBlock(heading[1].length, heading[2] ?? '', line.trim()));
      index += 1;
      continue;
    }
    // Checked before lists: `- - -` and `* * *` are rules, not items (CommonMark gives rules precedence).
    if (THEMATIC_BREAK.test(line)) {
      index += 1;
      continue;
    }
    if (isTableStart(index)) {
      let end = index + 2;
      while (end < lines.length && (lines[end] ?? '').includes('|') && (lines[end] ?? '').trim()) end += 1;
      blocks.push({ kind: 'table', text: lines.slice(index, end).join('\n') });
      index = end;
      continue;
    }
    if (LIST_ITEM.test(line)) {
      let end = index + 1;
      while (end < lines.length) {
        const next = lines[end] ?? '';
        if (next.trim()) {
          // Items, indented continuations and lazy continuation lines belong to the list; other blocks end it.
          if (LIST_ITEM.test(next) || INDENTED.test(next) || !startsBlock(end)) {
            end += 1;
            continue;
          }
          break;
        }
        // A blank line continues the list only when an item or an indented line follows (a "loose" list).
        let after = end + 1;
        while (after < lines.length && !(lines[after] ?? '').trim()) after += 1;
        const following = lines[after] ?? '';
        if (after < lines.length && (LIST_ITEM.test(following) || INDENTED.test(following))) end = after;
        else break;
      }
      blocks.push({ kind: 'list', text: trimBlankLines(lines.slice(index, end)) });
      index = end;
      continue;
    }
    if (QUOTE.test(line)) {
      let end = index + 1;
      while (
        end < lines.length &&
        (lines[end] ?? '').trim() &&
        (QUOTE.test(lines[end] ?? '') || !startsBlock(end))
      )
        end += 1;
      blocks.push({ kind: 'quote', text: lines.slice(index, end).join('\n') });
      index = end;
      continue;
    }
    // Paragraph: runs until a blank line or the start of another block; a setext underline makes it a heading.
    let end = index + 1;
    let setextLevel = 0;
    while (end < lines.length && (lines[end] ?? '').trim()) {
      const underline = SETEXT_UNDERLINE.exec(lines[end] ?? '');
      if (underline?.[1]) {
        setextLevel = underline[1].startsWith('=') ? 1 : 2;
        break;
      }
      if (startsBlock(end)) break;
      end += 1;
    }
    const text = lines.slice(index, end).join('\n');
    if (setextLevel) {
      blocks.push(
        headingBlock(
          setextLevel,
          text,
          `${'#'.repeat(setextLevel)} ${text.replace(/\s*\n\s*/g, ' ').trim()}`,
        ),
      );
      index = end + 1;
    } else {
      blocks.push({ kind: 'paragraph', text });
      index = end;
    }
  }
  return blocks;
}

function headingBlock(level: number, rawTitle: string, text: string): MarkdownBlock {
  return { kind: 'heading', level, title: plainHeadingText(rawTitle), text };
}

/** Heading text without inline Markdown, for heading paths: `**Ship** [rates](x)` → `Ship rates`. */
export function plainHeadingText(markdown: string): string {
  return markdown
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|~~|`)(.+?)\1/g, '$2')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

function trimBlankLines(lines: string[]): string {
  return lines.join('\n').replace(/^\n+|\n+$/g, '');
}
