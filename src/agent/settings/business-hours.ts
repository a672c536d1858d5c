import type { BusinessHours } from './inbox-settings-schema.ts';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/**
 * Whether `now` falls inside the weekly schedule, read in the schedule's IANA time zone (so DST
 * shifts are handled by Intl, not by us). Intervals are [from, to): 09:00–17:00 is open at
 * 16:59 and closed at 17:00. A disabled schedule is always open.
 */
export function isWithinBusinessHours(hours: BusinessHours, now: Date): boolean {
  if (!hours.enabled) return true;
  const local = localParts(now, hours.timeZone);
  const minutes = local.hour * 60 + local.minute;
  const day = WEEKDAYS[local.weekday]!;
  return hours.weekly[day].some(
    (interval) => toMinutes(interval.from) <= minutes && minutes < toMinutes(interval.to),
  );
}

/** The instant the calendar day containing `now` began in `timeZone` (daily budgets reset then). */
export function startOfDayIn(timeZone: string, now: Date): Date {
  const local = localParts(now, timeZone);
  const midnightAsUtc = Date.UTC(local.year, local.month - 1, local.day);
  // The offset can differ between midnight and now (DST); measure it at the candidate and once more.
  let candidate = midnightAsUtc - offsetMs(new Date(midnightAsUtc), timeZone);
  candidate = midnightAsUtc - offsetMs(new Date(candidate), timeZone);
  return new Date(candidate);
}

interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** 0 = Sunday. */
  readonly weekday: number;
}

function localParts(instant: Date, timeZone: string): LocalParts {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
  }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday')),
  };
}

/** Local wall time minus UTC at `instant`, in ms (e.g. +1h for Europe/Lisbon in summer). */
function offsetMs(instant: Date, timeZone: string): number {
  const local = localParts(instant, timeZone);
  const wallAsUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  return wallAsUtc - Math.floor(instant.getTime() / 60_000) * 60_000;
}

function toMinutes(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return hours! * 60 + minutes!;
}
