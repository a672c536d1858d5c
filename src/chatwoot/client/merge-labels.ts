/**
 * The label list after adding `added` to `current` (Chatwoot replaces the list on write, so the
 * client merges): existing order kept, new labels appended, duplicates dropped. `hasChanged` is
 * false when nothing new was added, so the write can be skipped.
 */
export function mergeLabels(
  current: readonly string[],
  added: readonly string[],
): { labels: string[]; hasChanged: boolean } {
  const labels = [...new Set(current)];
  const seen = new Set(labels);
  let hasChanged = false;
  for (const label of added) {
    if (seen.has(label)) continue;
    seen.add(label);
    labels.push(label);
    hasChanged = true;
  }
  return { labels, hasChanged };
}
