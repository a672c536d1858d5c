export type SettingsDocument = Record<string, unknown>;

/**
 * Applies a patch to a stored override document: objects merge key by key, arrays and scalars
 * replace, and `null` removes the override so the value is inherited again (from the connection
 * default, then the built-in default): RFC 7396 merge-patch semantics. Pure: neither argument
 * is modified.
 */
export function mergeSettingsPatch(base: SettingsDocument, patch: SettingsDocument): SettingsDocument {
  const result: SettingsDocument = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) {
      delete result[key];
    } else if (isPlainObject(value)) {
      const existing = result[key];
      const merged = mergeSettingsPatch(isPlainObject(existing) ? existing : {}, value);
      if (Object.keys(merged).length === 0) delete result[key];
      else result[key] = merged;
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** Overlays documents left to right without null semantics (stored documents hold no nulls). */
export function overlaySettings(...documents: readonly SettingsDocument[]): SettingsDocument {
  return documents.reduce<SettingsDocument>((merged, document) => mergeSettingsPatch(merged, document), {});
}

export function isPlainObject(value: unknown): value is SettingsDocument {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
