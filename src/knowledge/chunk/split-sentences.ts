/**
 * Splits text into sentences at `.`, `!`, `?`, `…` (and CJK stops) followed by whitespace, keeping closing quotes
 * and brackets with their sentence. Deliberately simple: an abbreviation like "e.g. this" may split early, which
 * only costs a slightly shorter piece. Used only for blocks too big to keep whole, and for overlap.
 */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…。！？]["'”’)\]]*)\s+(?=\S)/u)
    .map((sentence) => sentence.trim())
    .filter(Boolean);
}
