import type { Citation } from '../../pipeline/responder.ts';
import type { InboxSettings } from '../settings/inbox-settings-schema.ts';
import type { NumberedPassage } from '../tools/run-recorder.ts';

export interface FormattedReply {
  /** Final texts to post, in order; empty when nothing is left to say. */
  readonly messages: string[];
  readonly citations: Citation[];
  /** Passage numbers the model cited that exist in this run. */
  readonly citedNumbers: number[];
}

const MARKER = /\s*\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

/**
 * Turns the model's text into what the customer receives: citation markers ([1], [1, 2]) are
 * removed from the prose and, when citations are on, the cited sources are listed at the end
 * (title and link); then the reply style applies (length cap at a sentence boundary, optional
 * split at paragraphs into at most `maxMessages`). Pure.
 */
export function formatReply(
  text: string,
  passages: readonly NumberedPassage[],
  style: InboxSettings['replyStyle'],
  showCitations: boolean,
): FormattedReply {
  const cited: number[] = [];
  for (const match of text.matchAll(MARKER)) {
    for (const part of match[1]!.split(',')) {
      const number = Number(part.trim());
      if (passages.some((entry) => entry.number === number) && !cited.includes(number)) cited.push(number);
    }
  }
  const body = text
    .replace(MARKER, '')
    .replace(/[ \t]+([.,;:!?])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  const citations = uniqueCitations(
    cited.map((number) => passages.find((entry) => entry.number === number)!.passage.citation),
  );
  if (body === '') return { messages: [], citations, citedNumbers: cited };

  const sources =
    showCitations && citations.length > 0
      ? citations
          .map((citation) => `🔗 ${citation.title}${citation.url ? `: ${citation.url}` : ''}`)
          .join('\n')
      : '';
  const room = Math.max(50, style.maxLength - (sources ? sources.length + 2 : 0));
  const messages = style.split
    ? splitIntoMessages(body, style.maxLength, style.maxMessages, room)
    : [truncateAtSentence(body, room)];
  if (sources) messages[messages.length - 1] = `${messages[messages.length - 1]}\n\n${sources}`;
  return { messages, citations, citedNumbers: cited };
}

function uniqueCitations(
  citations: readonly { title: string; url?: string; headingPath: readonly string[] }[],
): Citation[] {
  const seen = new Set<string>();
  const result: Citation[] = [];
  for (const citation of citations) {
    const key = citation.url ?? citation.title;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({
      title: citation.title,
      ...(citation.url ? { url: citation.url } : {}),
      ...(citation.headingPath.length > 0 ? { headingPath: citation.headingPath.join(' > ') } : {}),
    });
  }
  return result;
}

/** Paragraphs packed greedily into messages of at most `maxLength`; the last one leaves `lastRoom` for sources. */
function splitIntoMessages(body: string, maxLength: number, maxMessages: number, lastRoom: number): string[] {
  const pieces = body
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .flatMap((paragraph) =>
      paragraph.length <= maxLength ? [paragraph] : splitSentences(paragraph, maxLength),
    );
  const messages: string[] = [];
  for (const piece of pieces) {
    const last = messages.at(-1);
    if (last !== undefined && last.length + 2 + piece.length <= maxLength)
      messages[messages.length - 1] = `${last}\n\n${piece}`;
    else messages.push(piece);
  }
  if (messages.length > maxMessages) {
    const overflow = messages.splice(maxMessages - 1).join('\n\n');
    messages.push(overflow);
  }
  messages[messages.length - 1] = truncateAtSentence(messages.at(-1)!, lastRoom);
  return messages;
}

function splitSentences(paragraph: string, maxLength: number): string[] {
  const sentences = paragraph.match(/[^.!?]+(?:[.!?]+\s*|$)/g) ?? [paragraph];
  const chunks: string[] = [];
  for (const sentence of sentences.map((item) => item.trim()).filter(Boolean)) {
    const last = chunks.at(-1);
    if (last !== undefined && last.length + 1 + sentence.length <= maxLength)
      chunks[chunks.length - 1] = `${last} ${sentence}`;
    else chunks.push(sentence.length <= maxLength ? sentence : truncateAtSentence(sentence, maxLength));
  }
  return chunks;
}

/** Cuts at the last sentence end (or word) that fits, marking the cut with an ellipsis. */
export function truncateAtSentence(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const window = text.slice(0, maxLength - 1);
  const sentenceEnd = Math.max(
    window.lastIndexOf('. '),
    window.lastIndexOf('! '),
    window.lastIndexOf('? '),
    window.lastIndexOf('\n'),
  );
  if (sentenceEnd >= maxLength * 0.5) return window.slice(0, sentenceEnd + 1).trim();
  const wordEnd = window.lastIndexOf(' ');
  return `${(wordEnd > 0 ? window.slice(0, wordEnd) : window).trim()}…`;
}
