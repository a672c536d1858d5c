import { detectAll } from 'tinyld';

/** Below this tinyld accuracy a guess is noise (e.g. "reset password" → Afrikaans at 0.08). */
const MIN_ACCURACY = 0.05;
/** Fewer letters than this carry too little signal ("hola", "refund"). */
const MIN_LETTERS = 3;

export interface DetectLanguageOptions {
  /**
   * ISO 639-1 codes the text is likely to be in (e.g. the knowledge base's languages). A strong
   * prior: short customer questions are ambiguous between close languages.
   */
  readonly candidates?: readonly string[];
}

/**
 * ISO 639-1 code of `text`, or undefined when unsure (callers then fall back to the `simple`
 * text-search configuration).
 */
export function detectLanguage(text: string, options: DetectLanguageOptions = {}): string | undefined {
  const sample = text.slice(0, 4_000);
  if ((sample.match(/\p{L}/gu)?.length ?? 0) < MIN_LETTERS) return undefined;
  const only = options.candidates?.length ? [...options.candidates] : [];
  const guesses = detectAll(sample, only.length > 0 ? { only } : {});
  const best = guesses[0];
  if (!best) return undefined;
  if (only.length === 0 && best.accuracy < MIN_ACCURACY) return undefined;
  return best.lang;
}
