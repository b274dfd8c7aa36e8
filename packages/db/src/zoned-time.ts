/**
 * Wall-clock times in IANA time zones, on the runtime's own zone data (Intl): which zones
 * exist, and which instant a local date-time in a zone names — refusing the local times
 * that a daylight-saving change skips (a gap) or repeats (an overlap), where "7:30 in
 * that zone" names no instant or two. Pure: no database, safe in a browser bundle.
 */

const zones = new Set(Intl.supportedValuesOf("timeZone"));

/**
 * An IANA zone this runtime knows. Intl lists canonical zones only and leaves out "UTC"
 * (some engines), which every runtime formats; it is accepted as well.
 */
export function isTimeZone(zone: string): boolean {
  return zone === "UTC" || zones.has(zone);
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    partsFormatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall-clock time in `zone` at an instant, as if it were UTC (milliseconds). */
function wallClockMs(instantMs: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(zone).formatToParts(new Date(instantMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
}

/** The zone's offset from UTC at an instant, in milliseconds (Chicago in winter: -6 h). */
export function zoneOffsetMs(instant: Date, zone: string): number {
  const ms = instant.getTime();
  return wallClockMs(ms, zone) - (ms - (((ms % 1000) + 1000) % 1000));
}

export type ZonedResolution =
  | { kind: "instant"; instant: Date }
  /** The clocks jumped over this local time (spring forward): it never happens. */
  | { kind: "gap" }
  /** The clocks passed this local time twice (fall back): it names two instants. */
  | { kind: "overlap"; earlier: Date; later: Date };

const HOUR_MS = 3_600_000;

/**
 * The instant(s) at which clocks in `zone` read `wall`. Any such instant lies within a day
 * of the wall time read as UTC, and its offset is one in force at some point of that
 * window: with at most one offset change in it (true of every zone's history), the offsets
 * a day before and a day after are the only candidates, and each is kept if it really
 * gives back the wall time.
 */
export function resolveWallTime(wall: WallTime, zone: string): ZonedResolution {
  const wallMs = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
  const offsets = new Set([
    zoneOffsetMs(new Date(wallMs - 24 * HOUR_MS), zone),
    zoneOffsetMs(new Date(wallMs), zone),
    zoneOffsetMs(new Date(wallMs + 24 * HOUR_MS), zone),
  ]);
  const instants = [...new Set([...offsets].map((offset) => wallMs - offset))]
    .filter((candidate) => wallClockMs(candidate, zone) === wallMs)
    .sort((a, b) => a - b);
  const [first, last] = [instants[0], instants.at(-1)];
  if (first === undefined || last === undefined) return { kind: "gap" };
  if (first === last) return { kind: "instant", instant: new Date(first) };
  return { kind: "overlap", earlier: new Date(first), later: new Date(last) };
}

/** The calendar date in `zone` at an instant (year, month 1–12, day). */
export function zonedDate(instant: Date, zone: string): { year: number; month: number; day: number } {
  const wall = new Date(wallClockMs(instant.getTime(), zone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}
