import { z } from "zod";
import { cursor, eventStatus, id, page, seatOutput, seatStatus, timeZone } from "./common";

export const listEventsInput = z
  .object({
    query: z.string().trim().max(100).optional(),
    status: eventStatus.optional(),
    cursor: cursor.optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .prefault({});

export const eventIdInput = z.object({ eventId: id("eventId") });

export const availableTicketsInput = z.object({
  eventId: id("eventId"),
  section: z.string().trim().min(1).max(100).optional(),
});

/** The whole venue, or one section of it (an arena's map is thousands of seats). */
export const seatMapInput = availableTicketsInput;

const counts = z.object({
  total: z.number().int(),
  available: z.number().int(),
  held: z.number().int(),
  sold: z.number().int(),
});

export const eventSummaryOutput = z.object({
  id: z.uuid(),
  externalId: z.string().nullable(),
  name: z.string(),
  description: z.string(),
  startsAt: z.date(),
  status: eventStatus,
  organizerId: z.uuid(),
  /** Times of the event read in `timeZone`, the venue's: what the ticket says. */
  venue: z.object({ id: z.uuid(), name: z.string(), city: z.string(), timeZone }),
  priceFromCents: z.number().int().nullable(),
  counts,
});

export const tierOutput = z.object({ tier: z.string(), name: z.string(), priceCents: z.number().int() });

// Titles name the schemas' components in the OpenAPI document (what a partner's generated types are called).
export const eventOutput = eventSummaryOutput
  .extend({
    tiers: z.array(tierOutput),
    sections: z.array(z.object({ name: z.string(), ...counts.shape })),
  })
  .meta({ title: "Event" });

export const listEventsOutput = page(eventSummaryOutput).meta({ title: "EventPage" });

export const organizedEventsOutput = z.object({ items: z.array(eventSummaryOutput) });

export const availableTicketsOutput = z.object({ eventId: z.uuid(), seats: z.array(seatOutput) });

export const seatMapOutput = z.object({
  eventId: z.uuid(),
  /** The id of the event's latest seat change the map reflects: onAvailabilityChange resumes after it. */
  lastChangeId: z.string(),
  seats: z.array(seatOutput.extend({ status: seatStatus })),
});

const START_ERROR =
  "startsAt must be an ISO 8601 date-time with a UTC offset (2027-04-01T19:30:00-05:00) or a local date-time in the venue's time zone (2027-04-01T19:30)";

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** A date-time as the venue's clocks read it, resolved to an instant once the venue is known. */
export interface LocalDateTime {
  /** As written: "2027-04-01T19:30". */
  text: string;
  wall: { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The local date-time in `text`, or undefined if it is not one (or names no calendar day: Feb 30). */
function parseLocal(text: string): LocalDateTime | undefined {
  const match = LOCAL_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second = 0] = match.slice(1).map((part) => Number(part ?? 0));
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined) {
    return undefined;
  }
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const real =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  return real ? { text, wall: { year, month, day, hour, minute, second } } : undefined;
}

const withOffset = z.iso.datetime({ offset: true });

/**
 * When an event starts: an instant with its UTC offset (a Date), or a local date-time that
 * the venue's time zone turns into one (a LocalDateTime; upsertEvent resolves it and
 * refuses the local times that a daylight-saving change skips or repeats).
 */
export const eventStart = z.string().transform((value, ctx): Date | LocalDateTime => {
  const text = value.trim();
  if (withOffset.safeParse(text).success) return new Date(text);
  const local = parseLocal(text);
  if (local) return local;
  ctx.addIssue({ code: "custom", message: START_ERROR });
  return z.NEVER;
});

export const upsertEventInput = z.object({
  externalId: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._:\-/]+$/, { error: "externalId may hold letters, digits and . _ : - /" }),
  name: z.string().trim().min(1).max(200),
  venue: z.string().trim().min(1).max(200),
  startsAt: eventStart,
  description: z.string().max(5000).optional(),
  status: eventStatus.optional(),
  organizerId: id("organizerId").optional(),
});

export const upsertEventOutput = z.object({ event: eventSummaryOutput, created: z.boolean() });

const sales = z.object({
  sold: z.number().int(),
  held: z.number().int(),
  available: z.number().int(),
  revenueCents: z.number().int(),
});

export const salesSummaryOutput = z.object({
  eventId: z.uuid(),
  name: z.string(),
  confirmedBookings: z.number().int(),
  totals: sales,
  sections: z.array(sales.extend({ section: z.string() })),
});

export type EventSummary = z.infer<typeof eventSummaryOutput>;
export type EventDetail = z.infer<typeof eventOutput>;
export type UpsertEventInput = z.infer<typeof upsertEventInput>;

/**
 * An event's seat changes, live. `lastEventId` is the id of the last change a client has
 * seen (tRPC's subscription link sends it when it reconnects); the changes after it come first.
 */
export const availabilityInput = z.object({
  eventId: id("eventId"),
  lastEventId: z
    .string()
    .regex(/^\d{1,15}$/, { error: "lastEventId is the id of a change this subscription sent" })
    .nullish(),
});
