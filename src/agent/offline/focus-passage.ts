import { coverage, extractTerms, messageSegments } from './score-passage-match.ts';

/**
 * Cuts a passage that is too long for a chat message down to the blocks that answer the message:
 * blocks (paragraphs, tables, lists — never split) are ranked by how many of the message's terms
 * they contain, the best are kept in their original order with the heading above each, up to
 * `maxLength`. A passage about "US, Canada and UK delivery" answers a question about Canada with
 * the Canada section rather than its first 800 characters.
 */
export function focusPassage(content: string, message: string, maxLength: number): string {
  const text = content.trim();
  if (text.length <= maxLength) return text;
  const blocks = text
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter(Boolean);
  // Markdown headings, and the passage's first line when it is the "Title > Section" context line.
  const isHeading = (block: string) =>
    /^#{1,6}\s/.test(block) ||
    (block === blocks[0] && !block.includes('\n') && block.length <= 120 && !/[.!?:]$/.test(block));
  const questions = messageSegments(message)
    .map(extractTerms)
    .filter((terms) => terms.length > 0);
  // A block is read with the heading above it: "## Canada" makes its paragraph about Canada.
  const relevance = (index: number) => {
    const heading = headingAbove(blocks, index, isHeading);
    const context = isHeading(blocks[0]!) && heading !== 0 ? blocks[0]! : '';
    const terms = extractTerms(`${context}\n${heading === null ? '' : blocks[heading]!}\n${blocks[index]!}`);
    return Math.max(0, ...questions.map((question) => coverage(question, terms)));
  };
  const ranked = blocks
    .map((block, index) => ({ block, index, score: isHeading(block) ? -1 : relevance(index) }))
    .filter((entry) => entry.score >= 0)
    .sort((a, b) => b.score - a.score || a.index - b.index);

  const chosen = new Set<number>();
  let length = 0;
  const best = ranked[0]?.score ?? 0;
  for (const entry of ranked) {
    // Only blocks nearly as relevant as the best one: an answer, not the whole page.
    if (chosen.size > 0 && entry.score < best * 0.75) break;
    const heading = headingAbove(blocks, entry.index, isHeading);
    const extra =
      entry.block.length + 2 + (heading !== null && !chosen.has(heading) ? blocks[heading]!.length + 2 : 0);
    if (chosen.size > 0 && length + extra > maxLength) continue;
    chosen.add(entry.index);
    if (heading !== null) chosen.add(heading);
    length += extra;
  }
  const focused = [...chosen]
    .sort((a, b) => a - b)
    .map((index) => blocks[index]!)
    .join('\n\n');
  return focused.length <= maxLength ? focused : cutAtSentence(focused, maxLength);
}

function headingAbove(
  blocks: readonly string[],
  index: number,
  isHeading: (block: string) => boolean,
): number | null {
  for (let cursor = index - 1; cursor >= 0; cursor -= 1) if (isHeading(blocks[cursor]!)) return cursor;
  return null;
}

function cutAtSentence(text: string, maxLength: number): string {
  const cut = text.slice(0, maxLength);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('\n'));
  return end > maxLength * 0.5
    ? cut.slice(0, end + 1).trim()
    : `${cut.slice(0, cut.lastIndexOf(' ')).trim()}…`;
}
