import { restRoute } from "@ticketing/rpc/rest";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import type { z } from "zod";
import * as events from "../domain/events";
import { decide, decideListOrganized, ensureAllowed, loadEventFacts } from "../domain/permissions";
import { followEvents } from "../live/availability-feed";
import { checkAnswer, outputOf } from "../runtime/checked-answers";
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
import type { Context } from "../trpc/context";
import { authedProcedure, exactlyOnce, publicProcedure } from "../trpc/procedures";

/**
 * A public read through this process's event cache when it has one (event-cache.ts): the
 * answer is checked against its output schema once, when read, and then shared as it is.
 * `load` reads the answer and when it changes by itself (see Cached.changesAt).
 */
function cachedRead<S extends z.ZodType>(
  ctx: Context,
  key: string,
  eventId: string | null,
  schema: S,
  load: () => Promise<{ value: z.output<S>; changesAt: Date | null }>,
): Promise<z.output<S>> {
  const { eventCache } = ctx;
  if (!eventCache) return load().then((loaded) => loaded.value);
  return eventCache.get(key, eventId, async () => {
    const loaded = await load();
    return { value: checkAnswer(schema, loaded.value), changesAt: loaded.changesAt };
  });
}

export const eventProcedures = {
  listEvents: publicProcedure
    .input(listEventsInput)
    .meta({
      rest: restRoute(listEventsInput, {
        method: "GET",
        path: "/events",
        summary: "Upcoming events, soonest first, a page at a time",
        answers: "A page of events; pass nextCursor as cursor for the next one",
      }),
    })
    .output(outputOf(listEventsOutput))
    .query(({ ctx, input }) =>
      cachedRead(ctx, `listEvents:${JSON.stringify(input)}`, null, listEventsOutput, async () => {
        const { changesAt, ...page } = await events.listEvents(ctx.db, input);
        return { value: page, changesAt };
      }),
    ),

  getEvent: publicProcedure
    .input(eventIdInput)
    .meta({
      // `{id}`: the name partners have used since the route was written by hand.
      rest: restRoute(eventIdInput, {
        method: "GET",
        path: "/events/{id}",
        params: { id: "eventId" },
        summary: "One event with its venue, price tiers and seat counts",
        answers: "The event",
        errors: { NOT_FOUND: "No such event" },
      }),
    })
    // A cached event was checked against eventOutput when it was read, and cannot change.
    .output(outputOf(eventOutput))
    .query(({ ctx, input }) =>
      cachedRead(ctx, `getEvent:${input.eventId}`, input.eventId, eventOutput, async () => {
        const { event, changesAt } = await events.getEvent(ctx.db, input.eventId);
        return { value: event, changesAt };
      }),
    ),

  getAvailableTickets: publicProcedure
    .input(availableTicketsInput)
    .output(outputOf(availableTicketsOutput))
    .query(({ ctx, input }) =>
      cachedRead(
        ctx,
        `getAvailableTickets:${input.eventId}:${input.section ?? ""}`,
        input.eventId,
        availableTicketsOutput,
        async () => {
          const changesAt = ctx.eventCache ? await events.nextHoldExpiry(ctx.db, input.eventId) : null;
          return { value: await events.getAvailableTickets(ctx.db, input.eventId, input.section), changesAt };
        },
      ),
    ),

  getSeatMap: publicProcedure
    .input(seatMapInput)
    .output(outputOf(seatMapOutput))
    .query(({ ctx, input }) =>
      cachedRead(ctx, `getSeatMap:${input.eventId}:${input.section ?? ""}`, input.eventId, seatMapOutput, async () => {
        const changesAt = ctx.eventCache ? await events.nextHoldExpiry(ctx.db, input.eventId) : null;
        return { value: await events.getSeatMap(ctx.db, input.eventId, input.section), changesAt };
      }),
    ),

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
