/**
 * Chatwoot serialises times three ways in one payload: unix seconds (ints, 0 when unset), a float
 * `updated_at`, and ISO-8601 strings with milliseconds. These helpers take epoch milliseconds.
 */

export function toUnixSeconds(epochMs: number | null): number {
  return epochMs === null ? 0 : Math.floor(epochMs / 1000);
}

/** `updated_at` of the conversation webhook data: seconds with a fractional part. */
export function toUnixFloat(epochMs: number): number {
  return epochMs / 1000;
}

export function toIsoString(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function toIsoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : toIsoString(epochMs);
}
