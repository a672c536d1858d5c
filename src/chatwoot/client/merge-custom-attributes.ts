export type CustomAttributes = Record<string, unknown>;

/**
 * Shallow merge of a patch into a conversation's custom attributes (Chatwoot replaces the whole
 * hash on write, so the client merges). `hasChanged` is false when every patched key already holds
 * an equal value, so the write can be skipped. Values are compared as JSON, which is how they
 * travel and are stored.
 */
export function mergeCustomAttributes(
  current: CustomAttributes,
  patch: CustomAttributes,
): { attributes: CustomAttributes; hasChanged: boolean } {
  const hasChanged = Object.entries(patch).some(
    ([key, value]) => !Object.hasOwn(current, key) || JSON.stringify(current[key]) !== JSON.stringify(value),
  );
  return { attributes: { ...current, ...patch }, hasChanged };
}
