const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A source's re-sync interval: `30m`, `6h`, `1d` (minimum 5 minutes: a crawl every few seconds
 * would hammer the site). Returns milliseconds, or null for an invalid value.
 */
export function parseSyncInterval(text: string): number | null {
  const match = /^(\d{1,4})\s*([mhd])$/i.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!;
  return ms >= 5 * 60_000 ? ms : null;
}

/** Pure: is a source with this schedule and last sync due at `now`? Unscheduled sources never are. */
export function isSyncDue(
  source: { schedule: string | null; lastSyncedAt: Date | null; status: string },
  now: Date,
): boolean {
  if (!source.schedule || source.status === 'syncing') return false;
  const interval = parseSyncInterval(source.schedule);
  if (interval === null) return false;
  return source.lastSyncedAt === null || now.getTime() - source.lastSyncedAt.getTime() >= interval;
}
