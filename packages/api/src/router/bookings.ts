import { restRoute } from "@ticketing/rpc/rest";
import type { TRPCRouterRecord } from "@trpc/server";
import * as bookings from "../domain/bookings";
import { decide, ensureAllowed, loadBookingFacts } from "../domain/permissions";
import {
  bookingIdInput,
  bookingOutput,
  confirmBookingInput,
  createBookingInput,
  listMyBookingsInput,
  listMyBookingsOutput,
} from "../schemas/bookings";
import { announcesSeatChanges, authedProcedure, exactlyOnce, exactlyOnceAllOrNothing } from "../trpc/procedures";

export const bookingProcedures = {
  createBooking: authedProcedure
    .use(announcesSeatChanges)
    .input(createBookingInput)
    .meta({
      rest: restRoute(createBookingInput, {
        method: "POST",
        path: "/bookings",
        summary: "Hold seats for a new booking (10 minutes)",
        answers: "Booked: the seats are held",
        status: 201,
        replayStatus: 200,
        errors: {
          FORBIDDEN: "Not allowed",
          NOT_FOUND: "No such event",
          CONFLICT: "The seats are taken, or the event is sold out",
          PRECONDITION_FAILED: "The event is not on sale",
        },
      }),
    })
    // Its checks all come before its one writing statement, which writes all or nothing.
    .concat(exactlyOnceAllOrNothing)
    .output(bookingOutput)
    .mutation(({ ctx, input }) =>
      // The permission check reads the event in the same statement as the booking does.
      bookings.createBooking(ctx.db, ctx.viewer.id, input, ctx.holdMinutes, (event) =>
        ensureAllowed(decide(ctx.viewer, event, "book")),
      ),
    ),

  confirmBooking: authedProcedure
    .use(announcesSeatChanges)
    .input(confirmBookingInput)
    .concat(exactlyOnce)
    .output(bookingOutput)
    .mutation(async ({ ctx, input }) => {
      ensureAllowed(decide(ctx.viewer, await loadBookingFacts(ctx.db, input.bookingId), "book"));
      return bookings.confirmBooking(ctx.db, input.bookingId, input.paymentToken);
    }),

  cancelBooking: authedProcedure
    .use(announcesSeatChanges)
    .input(bookingIdInput)
    .concat(exactlyOnce)
    .output(bookingOutput)
    .mutation(async ({ ctx, input }) => {
      ensureAllowed(decide(ctx.viewer, await loadBookingFacts(ctx.db, input.bookingId), "cancel"));
      return bookings.cancelBooking(ctx.db, input.bookingId);
    }),

  getBooking: authedProcedure
    .input(bookingIdInput)
    .output(bookingOutput)
    .query(async ({ ctx, input }) => {
      ensureAllowed(decide(ctx.viewer, await loadBookingFacts(ctx.db, input.bookingId), "read"));
      return bookings.getBooking(ctx.db, input.bookingId);
    }),

  listMyBookings: authedProcedure
    .input(listMyBookingsInput)
    .output(listMyBookingsOutput)
    .query(({ ctx, input }) => bookings.listBookings(ctx.db, ctx.viewer.id, input)),
} satisfies TRPCRouterRecord;
