import { formatEventDate, formatEventTime } from "@ticketing/api/time";

/**
 * When an event starts, as its venue's clocks read it ("Fri, Dec 18, 2026, 7:30 PM CST"),
 * in a <time> element with the instant. The zone is explicit, so the server's rendering and
 * the browser's hydration write the same text wherever each of them is.
 */
export function EventTime({ at, timeZone }: { at: Date; timeZone: string }) {
  return <time dateTime={at.toISOString()}>{formatEventTime(at, timeZone)}</time>;
}

/** The event's calendar day at its venue ("Dec 18"). */
export function EventDate({ at, timeZone }: { at: Date; timeZone: string }) {
  return <time dateTime={at.toISOString()}>{formatEventDate(at, timeZone)}</time>;
}
