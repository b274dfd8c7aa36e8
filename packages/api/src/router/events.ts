import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { followEvents } from "../availability-feed";
import * as events from "../domain/events";
import { decide, decideListOrganized, ensureAllowed, loadEventFacts } from "../domain/permissions";
import {
  availabilityInput,
  availableTicketsInput,
  availableTicketsOutput,
  eventIdInput,
  eventOutput,
  listEventsInput,
  listEventsOutput,
  organizedEventsOutput,
  salesSummaryOutput,
  seatMapInput,
  seatMapOutput,
  upsertEventInput,
  upsertEventOutput,
} from "../schemas/events";
import { outputOf, settle } from "../settled";
import { authedProcedure, exactlyOnce, publicProcedure } from "../trpc";

export const eventProcedures = {
  listEvents: publicProcedure
    .input(listEventsInput)
    .output(listEventsOutput)
    .query(({ ctx, input }) => events.listEvents(ctx.db, input)),

  getEvent: publicProcedure
    .input(eventIdInput)
    // A cached event was checked against eventOutput when it was read, and cannot change.
    .output(outputOf(eventOutput))
    .query(({ ctx, input }) => {
      const { db, eventCache } = ctx;
      if (!eventCache) return events.getEvent(db, input.eventId);
      return eventCache.get(input.eventId, async () => {
        // Read the expiry first: a hold placed after it is a write, which invalidates anyway.
        const changesAt = await events.nextHoldExpiry(db, input.eventId);
        return { event: settle(eventOutput, await events.getEvent(db, input.eventId)), changesAt };
      });
    }),

  getAvailableTickets: publicProcedure
    .input(availableTicketsInput)
    .output(availableTicketsOutput)
    .query(({ ctx, input }) => events.getAvailableTickets(ctx.db, input.eventId, input.section)),

  getSeatMap: publicProcedure
    .input(seatMapInput)
    .output(seatMapOutput)
    .query(({ ctx, input }) => events.getSeatMap(ctx.db, input.eventId, input.section)),

  /** Server-sent events: each seat change of the event, resumable from its id (any instance). */
  onAvailabilityChange: publicProcedure.input(availabilityInput).subscription(async ({ ctx, input, signal }) => {
    // Checked before the stream starts, so a bad call fails with its own code.
    if (!ctx.availability) {
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Live availability is not running here." });
    }
    await events.ensureEventExists(ctx.db, input.eventId);
    const after = input.lastEventId ? Number(input.lastEventId) : undefined;
    return ctx.availability.follow(input.eventId, after, signal ?? new AbortController().signal);
  }),

  upsertEvent: authedProcedure
    .input(upsertEventInput)
    .concat(exactlyOnce)
    .output(upsertEventOutput)
    .mutation(({ ctx, input }) => events.upsertEvent(ctx.db, ctx.viewer, input)),

  listOrganizedEvents: authedProcedure.output(organizedEventsOutput).query(({ ctx }) => {
    ensureAllowed(decideListOrganized(ctx.viewer));
    return events.listOrganizedEvents(ctx.db, ctx.viewer.role === "admin" ? null : ctx.viewer.id);
  }),

  /**
   * Server-sent events for the organizer's desk: which of the viewer's events (every event,
   * for an admin) just had seats held, sold or released, so their sales can be reloaded.
   */
  onSalesChange: authedProcedure.subscription(async ({ ctx, signal }) => {
    ensureAllowed(decideListOrganized(ctx.viewer));
    if (!ctx.availability) {
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Live availability is not running here." });
    }
    const eventIds = await events.listOrganizedEventIds(ctx.db, ctx.viewer.role === "admin" ? null : ctx.viewer.id);
    return followEvents(ctx.availability, eventIds, signal ?? new AbortController().signal);
  }),

  getSalesSummary: authedProcedure
    .input(eventIdInput)
    .output(salesSummaryOutput)
    .query(async ({ ctx, input }) => {
      ensureAllowed(decide(ctx.viewer, await loadEventFacts(ctx.db, input.eventId), "manage"));
      return events.getSalesSummary(ctx.db, input.eventId);
    }),
} satisfies TRPCRouterRecord;
