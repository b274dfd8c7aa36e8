import type { TRPCRouterRecord } from "@trpc/server";
import * as permissions from "../domain/permissions";
import { checkPermissionInput, decisionOutput } from "../schemas/permissions";
import { authedProcedure } from "../trpc/procedures";

export const permissionProcedures = {
  checkPermission: authedProcedure
    .input(checkPermissionInput)
    .output(decisionOutput)
    .query(({ ctx, input }) => permissions.checkPermission(ctx.db, ctx.viewer, input)),
} satisfies TRPCRouterRecord;
