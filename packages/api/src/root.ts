import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { authProcedures } from "./router/auth";
import { bookingProcedures } from "./router/bookings";
import { eventProcedures } from "./router/events";
import { importProcedures } from "./router/imports";
import { operationProcedures } from "./router/operations";
import { permissionProcedures } from "./router/permissions";
import { createCallerFactory, router } from "./trpc";

/** Procedures live at the root, named by their verb: /trpc/getEvent, /trpc/createBooking… */
export const appRouter = router({
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
