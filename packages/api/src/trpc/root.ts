import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { Failure } from "../domain/errors";
import { authProcedures } from "../router/auth";
import { bookingProcedures } from "../router/bookings";
import { eventProcedures } from "../router/events";
import type { declaredFailures } from "../router/failures";
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

type ProcedureName = keyof RouterInputs;

/** Only procedures of the router: a key of declaredFailures (router/failures.ts) that is not one fails here. */
type Declaring<P extends ProcedureName> = P;

/**
 * Per procedure, the union of the failures it declares (never for one that declares none):
 * what a client narrows `error.data.failure` to once it knows which call failed.
 */
export type ProcedureFailures = {
  [P in ProcedureName]: P extends Declaring<keyof typeof declaredFailures>
    ? Failure<(typeof declaredFailures)[P][number]>
    : never;
};

export const createCaller = createCallerFactory(appRouter);
