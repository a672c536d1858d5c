/** A human title for a file that declares none: `guides/getting-started.md` → `Getting started`. */
export function titleFromSourceUri(sourceUri: string): string {
  const lastSegment = sourceUri.split(/[\\/]/).filter(Boolean).pop() ?? sourceUri;
  const stem = lastSegment.replace(/\.[^.]+$/, '');
  const words = stem.replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (!words) return sourceUri;
  return words.charAt(0).toUpperCase() + words.slice(1);
}
