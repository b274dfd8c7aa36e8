import { isTimeZone } from "@ticketing/db/zoned-time";
import { z } from "zod";

export const id = (what: string) => z.uuid({ error: `${what} must be a UUID` });

/** Opaque paging cursor: clients hand back what they were given. */
export const cursor = z.string().min(1).max(200);

export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{8,128}$/, { error: "An idempotency key is 8 to 128 visible ASCII characters" });

/**
 * A page of items. Bounded by zod's core type, not the classic `z.ZodType`: checking an item
 * schema against `z.ZodType` compares every method of the classic API, and with 200 paged
 * lists that was 11% of the router package's types (docs/decisions/015-typecheck-scale.md).
 */
export const page = <T extends z.core.$ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const userRole = z.enum(["customer", "organizer", "admin", "service"]);
export const eventStatus = z.enum(["scheduled", "on_sale", "sold_out", "cancelled"]);
export const seatStatus = z.enum(["available", "held", "sold"]);
export const bookingStatus = z.enum(["held", "confirmed", "expired", "cancelled"]);

/** An IANA time zone (America/Chicago) that this runtime's Intl knows, or UTC. */
export const timeZone = z
  .string()
  .refine(isTimeZone, { error: "must be an IANA time zone such as America/Chicago" })
  .meta({ description: "IANA time zone of the venue, e.g. America/Chicago", examples: ["America/Chicago"] });

/** A seat as every read shows it (a booking's seats, available tickets, the seat map), priced in cents. */
export const seatOutput = z.object({
  seatId: z.uuid(),
  section: z.string(),
  row: z.string(),
  number: z.number().int(),
  tier: z.string(),
  priceCents: z.number().int(),
});
