import type { Failure, FailureReason } from "../domain/errors";

/**
 * The failures each procedure declares: part of its contract, like its input and output.
 * A failure reaches a client with its data (`error.data.failure`) only from a procedure
 * that declares it; from any other it goes out as its code and message alone, so the types
 * in root.ts never promise a client less than it gets. The keys must be procedures of the
 * router: root.ts fails to compile otherwise (this file is the core's, which the router is
 * built on, so it cannot name the router's procedures itself).
 */
export const declaredFailures = {
  createBooking: ["NOT_ON_SALE", "SEATS_TAKEN", "NOT_ENOUGH_SEATS", "SEATS_NOT_IN_EVENT"],
  confirmBooking: ["BOOKING_NOT_HELD", "HOLD_EXPIRED", "CARD_DECLINED"],
  cancelBooking: ["BOOKING_NOT_HELD"],
  importEvents: ["IMPORT_RUNNING", "IMPORT_ID_TAKEN"],
} as const satisfies { readonly [procedure: string]: readonly FailureReason[] };

const byProcedure: Readonly<Record<string, readonly string[] | undefined>> = declaredFailures;

/** The failure to send for a call of `path`, or null when that procedure does not declare it. */
export function declaredFailure(path: string | undefined, failure: Failure | undefined): Failure | null {
  if (!failure || path === undefined) return null;
  return byProcedure[path]?.includes(failure.reason) ? failure : null;
}
