import { z } from "zod";
import { bookingStatus, cursor, id, idempotencyKey, page, seatOutput, timeZone } from "./common";

export const MAX_SEATS_PER_BOOKING = 10;

export const createBookingInput = z
  .object({
    eventId: id("eventId"),
    seatIds: z
      .array(id("Each seat id"))
      .min(1, { error: "Pick at least one seat" })
      .max(MAX_SEATS_PER_BOOKING, { error: `At most ${MAX_SEATS_PER_BOOKING} seats per booking` })
      .refine((ids) => new Set(ids).size === ids.length, { error: "Each seat may be listed once" })
      .optional(),
    quantity: z
      .number()
      .int()
      .min(1, { error: "Ask for at least one seat" })
      .max(MAX_SEATS_PER_BOOKING, { error: `At most ${MAX_SEATS_PER_BOOKING} seats per booking` })
      .optional(),
    idempotencyKey: idempotencyKey.optional(),
  })
  .refine((input) => (input.seatIds === undefined) !== (input.quantity === undefined), {
    error: "Give either seatIds or quantity",
    path: ["seatIds"],
  })
  // Its component's name in the OpenAPI document.
  .meta({ title: "CreateBooking" });

export const confirmBookingInput = z.object({
  bookingId: id("bookingId"),
  paymentToken: z.string().trim().min(1, { error: "A payment token is required" }).max(200),
  idempotencyKey: idempotencyKey.optional(),
});

export const bookingIdInput = z.object({ bookingId: id("bookingId") });

export const listMyBookingsInput = z
  .object({
    cursor: cursor.optional(),
    limit: z.number().int().min(1).max(50).default(20),
  })
  .prefault({});

export const bookingOutput = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    status: bookingStatus,
    event: z.object({
      id: z.uuid(),
      name: z.string(),
      startsAt: z.date(),
      venueName: z.string(),
      city: z.string(),
      /** The venue's IANA zone: startsAt is shown in it. */
      timeZone,
    }),
    seats: z.array(seatOutput),
    totalCents: z.number().int(),
    /** While held: when the hold lapses. */
    expiresAt: z.date(),
    createdAt: z.date(),
    confirmedAt: z.date().nullable(),
    cancelledAt: z.date().nullable(),
  })
  // Its component's name in the OpenAPI document.
  .meta({ title: "Booking" });

export const listMyBookingsOutput = page(bookingOutput);

export type Booking = z.infer<typeof bookingOutput>;
export type CreateBookingInput = z.infer<typeof createBookingInput>;
