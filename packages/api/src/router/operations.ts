import type { TRPCRouterRecord } from "@trpc/server";
import { purgeSeatChanges } from "../domain/availability";
import { releaseExpiredHolds } from "../domain/bookings";
import { ackNotifications, claimNotifications } from "../domain/notifications";
import { decide, decideDeliverNotifications, ensureAllowed } from "../domain/permissions";
import { idempotencyStore } from "../runtime/idempotency-store";
import {
  ackNotificationsInput,
  ackNotificationsOutput,
  claimNotificationsInput,
  claimNotificationsOutput,
  purgeIdempotencyRecordsInput,
  purgeIdempotencyRecordsOutput,
  purgeSeatChangesInput,
  purgeSeatChangesOutput,
  releaseExpiredHoldsInput,
  releaseExpiredHoldsOutput,
} from "../schemas/operations";
import { announcesSeatChanges, authedProcedure, exactlyOnce } from "../trpc/procedures";

/** Background work the worker (service account) drives. */
export const operationProcedures = {
  releaseExpiredHolds: authedProcedure
    .use(announcesSeatChanges)
    .input(releaseExpiredHoldsInput)
    .concat(exactlyOnce)
    .output(releaseExpiredHoldsOutput)
    .mutation(({ ctx, input }) => {
      ensureAllowed(decide(ctx.viewer, { kind: "admin" }, "manage"));
      return releaseExpiredHolds(ctx.db, input.limit);
    }),

  claimNotifications: authedProcedure
    .input(claimNotificationsInput)
    .concat(exactlyOnce)
    .output(claimNotificationsOutput)
    .mutation(({ ctx, input }) => {
      ensureAllowed(decideDeliverNotifications(ctx.viewer));
      return claimNotifications(ctx.db, input.limit, input.leaseSeconds);
    }),

  ackNotifications: authedProcedure
    .input(ackNotificationsInput)
    .concat(exactlyOnce)
    .output(ackNotificationsOutput)
    .mutation(({ ctx, input }) => {
      ensureAllowed(decideDeliverNotifications(ctx.viewer));
      return ackNotifications(ctx.db, input.leaseId, input);
    }),

  /** The sweep of idempotency records past their retention (24 hours). */
  purgeIdempotencyRecords: authedProcedure
    .input(purgeIdempotencyRecordsInput)
    .output(purgeIdempotencyRecordsOutput)
    .mutation(async ({ ctx, input }) => {
      ensureAllowed(decide(ctx.viewer, { kind: "admin" }, "manage"));
      return { purged: await idempotencyStore.purgeExpired(ctx.db, input.limit) };
    }),

  /** The sweep of the seat change log past its retention (subscribers resume within it). */
  purgeSeatChanges: authedProcedure
    .input(purgeSeatChangesInput)
    .output(purgeSeatChangesOutput)
    .mutation(async ({ ctx, input }) => {
      ensureAllowed(decide(ctx.viewer, { kind: "admin" }, "manage"));
      return { purged: await purgeSeatChanges(ctx.db, input.retentionMinutes * 60_000, input.limit) };
    }),
} satisfies TRPCRouterRecord;
