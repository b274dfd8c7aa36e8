/**
 * How event times read, everywhere people see them (pages, emails, the organizer's desk):
 * in the venue's time zone, with its abbreviation — "Fri, Dec 18, 2026, 7:30 PM CST" —
 * never in the zone of whichever process or browser formats it. The zone is always
 * explicit, so a server in UTC and a browser in Tokyo write the same text, and a page
 * hydrates without a mismatch. Pure Intl: safe in a browser bundle.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", options);
    formatters.set(key, format);
  }
  return format;
}

/** "Fri, Dec 18, 2026, 7:30 PM CST": the date and time of an event as its venue's clocks read it. */
export function formatEventTime(at: Date, timeZone: string): string {
  return formatter(`time:${timeZone}`, {
    timeZone,
    weekday: "short",
    month: "short",
    day: "numeric",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(at);
}

/** "Dec 18": the event's calendar day at its venue (a show at 11 PM in Austin is not on the next day). */
export function formatEventDate(at: Date, timeZone: string): string {
  return formatter(`date:${timeZone}`, { timeZone, month: "short", day: "numeric" }).format(at);
}

/** "7:42 PM CST": a moment of the day at the venue (when a hold lapses), for messages that are kept. */
export function formatClockTime(at: Date, timeZone: string): string {
  return formatter(`clock:${timeZone}`, { timeZone, hour: "numeric", minute: "2-digit", timeZoneName: "short" }).format(
    at,
  );
}
