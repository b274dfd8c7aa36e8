import { z } from "zod";
import { cursor, eventStatus, id, page, seatStatus } from "./common";

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
  venue: z.object({ id: z.uuid(), name: z.string(), city: z.string() }),
  priceFromCents: z.number().int().nullable(),
  counts,
});

export const tierOutput = z.object({ tier: z.string(), name: z.string(), priceCents: z.number().int() });

export const eventOutput = eventSummaryOutput.extend({
  tiers: z.array(tierOutput),
  sections: z.array(z.object({ name: z.string(), ...counts.shape })),
});

export const listEventsOutput = page(eventSummaryOutput);

export const organizedEventsOutput = z.object({ items: z.array(eventSummaryOutput) });

const seat = z.object({
  seatId: z.uuid(),
  section: z.string(),
  row: z.string(),
  number: z.number().int(),
  tier: z.string(),
  priceCents: z.number().int(),
});

export const availableTicketsOutput = z.object({ eventId: z.uuid(), seats: z.array(seat) });

export const seatMapOutput = z.object({
  eventId: z.uuid(),
  /** The id of the event's latest seat change the map reflects: onAvailabilityChange resumes after it. */
  lastChangeId: z.string(),
  seats: z.array(seat.extend({ status: seatStatus })),
});

/** ISO 8601 with a UTC offset: a time without one means a different instant in every zone. */
export const instantString = z.iso
  .datetime({ offset: true, error: "startsAt must be an ISO 8601 date-time with a UTC offset (Z or ±hh:mm)" })
  .transform((value) => new Date(value));

export const upsertEventInput = z.object({
  externalId: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._:\-/]+$/, { error: "externalId may hold letters, digits and . _ : - /" }),
  name: z.string().trim().min(1).max(200),
  venue: z.string().trim().min(1).max(200),
  startsAt: instantString,
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
