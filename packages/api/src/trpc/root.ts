import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { authProcedures } from "../router/auth";
import { bookingProcedures } from "../router/bookings";
import { eventProcedures } from "../router/events";
import { importProcedures } from "../router/imports";
import { operationProcedures } from "../router/operations";
import { permissionProcedures } from "../router/permissions";
import { createCallerFactory, router } from "./procedures";

/**
 * Every procedure, as the intersection of its modules' records. Named by module so that the
 * declarations the clients read (docs/decisions/015-typecheck-scale.md) say
 * `typeof eventProcedures & …` instead of spelling out every procedure again in one type,
 * which the compiler refuses to write at about a thousand procedures (TS7056) and which
 * each client would pay to read. A record spread into appRouter below must be listed here
 * (`npm run new:procedure` does both); one that is not has no type in the clients, and the
 * authorization matrix (tests/src/authz-matrix.test.ts) fails to compile or its first test fails.
 */
export type AppProcedures = typeof eventProcedures &
  typeof importProcedures &
  typeof bookingProcedures &
  typeof permissionProcedures &
  typeof authProcedures &
  typeof operationProcedures;

/** Procedures live at the root, named by their verb: /trpc/getEvent, /trpc/createBooking… */
export const appRouter = router<AppProcedures>({
  ...eventProcedures,
  ...importProcedures,
  ...bookingProcedures,
  ...permissionProcedures,
  ...authProcedures,
  ...operationProcedures,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const createCaller = createCallerFactory(appRouter);
