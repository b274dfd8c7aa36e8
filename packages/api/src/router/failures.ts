import type { inferRouterInputs } from "@trpc/server";
import type { Failure, FailureReason } from "../domain/errors";
import type { AppRouter } from "../trpc/root";

type ProcedureName = keyof inferRouterInputs<AppRouter>;

/**
 * The failures each procedure declares: part of its contract, like its input and output.
 * A failure reaches a client with its data (`error.data.failure`) only from a procedure
 * that declares it; from any other it goes out as its code and message alone, so the types
 * below never promise a client less than it gets. The keys must be procedures of the router.
 */
export const declaredFailures = {
  createBooking: ["NOT_ON_SALE", "SEATS_TAKEN", "NOT_ENOUGH_SEATS", "SEATS_NOT_IN_EVENT"],
  confirmBooking: ["BOOKING_NOT_HELD", "HOLD_EXPIRED", "CARD_DECLINED"],
  cancelBooking: ["BOOKING_NOT_HELD"],
  importEvents: ["IMPORT_RUNNING", "IMPORT_ID_TAKEN"],
} as const satisfies { readonly [P in ProcedureName]?: readonly FailureReason[] };

/**
 * Per procedure, the union of the failures it declares (never for one that declares none):
 * what a client narrows `error.data.failure` to once it knows which call failed.
 */
export type ProcedureFailures = {
  [P in ProcedureName]: P extends keyof typeof declaredFailures ? Failure<(typeof declaredFailures)[P][number]> : never;
};

const byProcedure: Readonly<Record<string, readonly string[] | undefined>> = declaredFailures;

/** The failure to send for a call of `path`, or null when that procedure does not declare it. */
export function declaredFailure(path: string | undefined, failure: Failure | undefined): Failure | null {
  if (!failure || path === undefined) return null;
  return byProcedure[path]?.includes(failure.reason) ? failure : null;
}
