/**
 * ISO 639-1 code → PostgreSQL text-search configuration. Both PGlite and Debian's PostgreSQL ship
 * these snowball configurations; every other language is indexed with `simple` (lower-cased,
 * unstemmed words), which still matches exact words.
 */
export const TEXT_SEARCH_CONFIGS: Readonly<Record<string, string>> = {
  ar: 'arabic',
  ca: 'catalan',
  da: 'danish',
  de: 'german',
  el: 'greek',
  en: 'english',
  es: 'spanish',
  eu: 'basque',
  fi: 'finnish',
  fr: 'french',
  ga: 'irish',
  hi: 'hindi',
  hu: 'hungarian',
  hy: 'armenian',
  id: 'indonesian',
  it: 'italian',
  lt: 'lithuanian',
  nb: 'norwegian',
  ne: 'nepali',
  nl: 'dutch',
  no: 'norwegian',
  pt: 'portuguese',
  ro: 'romanian',
  ru: 'russian',
  sr: 'serbian',
  sv: 'swedish',
  ta: 'tamil',
  tr: 'turkish',
  yi: 'yiddish',
};

export const FALLBACK_TEXT_SEARCH_CONFIG = 'simple';

/** The configuration for a language code (`pt`, `pt-BR`, `PT`); `simple` when unknown or absent. */
export function textSearchConfigFor(language: string | undefined): string {
  if (!language) return FALLBACK_TEXT_SEARCH_CONFIG;
  const primary = language.toLowerCase().split(/[-_]/)[0] ?? '';
  return TEXT_SEARCH_CONFIGS[primary] ?? FALLBACK_TEXT_SEARCH_CONFIG;
}
