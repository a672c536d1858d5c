/**
 * A cheap, deterministic token estimate: the larger of words × 1.3 and characters ÷ 4.
 *
 * Why both: prose in English, Portuguese and Spanish runs at roughly 1.2–1.4 tokens per word with common BPE
 * vocabularies, while code, tables and URLs have few spaces and run closer to 4 characters per token. Taking the
 * larger keeps passages under an embedding model's window for both without loading a tokenizer. It is an
 * estimate for sizing passages, not for billing.
 */
export function estimateTokens(text: string): number {
  const trimmed = text.trim();
  if (!trimmed) return 0;
  const words = trimmed.split(/\s+/).length;
  return Math.ceil(Math.max(words * 1.3, trimmed.length / 4));
}
