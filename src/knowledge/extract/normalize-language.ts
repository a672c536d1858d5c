/**
 * Reduces a declared language tag (`pt-BR`, `pt_BR`, `EN`, `zh-Hans`) to its ISO 639-1 code (`pt`, `en`, `zh`),
 * which is what `ExtractedDocument.language` promises. Anything that is not a two-letter primary subtag
 * (empty, `und`, three-letter codes, garbage) yields `undefined` so the store falls back to detection.
 */
export function normalizeLanguage(tag: string | null | undefined): string | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().split(/[-_]/)[0]?.toLowerCase() ?? '';
  return /^[a-z]{2}$/.test(primary) ? primary : undefined;
}
