import type { TRPCRouterRecord } from "@trpc/server";
import { releaseExpiredHolds } from "../domain/bookings";
import { ackNotifications, claimNotifications } from "../domain/notifications";
import { decide, decideDeliverNotifications, ensureAllowed } from "../domain/permissions";
import {
  ackNotificationsInput,
  ackNotificationsOutput,
  claimNotificationsInput,
  claimNotificationsOutput,
  releaseExpiredHoldsInput,
  releaseExpiredHoldsOutput,
} from "../schemas/operations";
import { authedProcedure } from "../trpc";

/** Background work the worker (service account) drives. */
export const operationProcedures = {
  releaseExpiredHolds: authedProcedure
    .input(releaseExpiredHoldsInput)
    .output(releaseExpiredHoldsOutput)
    .mutation(({ ctx, input }) => {
      ensureAllowed(decide(ctx.viewer, { kind: "admin" }, "manage"));
      return releaseExpiredHolds(ctx.db, input.limit);
    }),

  claimNotifications: authedProcedure
    .input(claimNotificationsInput)
    .output(claimNotificationsOutput)
    .mutation(({ ctx, input }) => {
      ensureAllowed(decideDeliverNotifications(ctx.viewer));
      return claimNotifications(ctx.db, input.limit, input.leaseSeconds);
    }),

  ackNotifications: authedProcedure
    .input(ackNotificationsInput)
    .output(ackNotificationsOutput)
    .mutation(({ ctx, input }) => {
      ensureAllowed(decideDeliverNotifications(ctx.viewer));
      return ackNotifications(ctx.db, input.leaseId, input.ids);
    }),
} satisfies TRPCRouterRecord;
