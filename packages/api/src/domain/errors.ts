/** The failures a caller can cause, named as the wire contract names them. */
export type DomainErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "PAYMENT_REQUIRED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PRECONDITION_FAILED"
  | "TOO_MANY_REQUESTS";

/**
 * The failures a client can act on, by reason, with the facts it needs to act: which seats
 * to mark as taken, when a hold ran out. A client switches on `reason` and reads fields; it
 * never parses a message. Times are ISO 8601 strings, the same in JSON (REST) and superjson.
 */
export interface FailureData {
  /** CONFLICT: these asked-for seats belong to someone else now. */
  SEATS_TAKEN: { seatIds: string[] };
  /** CONFLICT: "best available" found fewer free seats than asked for (0: sold out). */
  NOT_ENOUGH_SEATS: { available: number; requested: number };
  /** BAD_REQUEST: these asked-for seats are not the event's. */
  SEATS_NOT_IN_EVENT: { seatIds: string[] };
  /** PRECONDITION_FAILED: the event cannot be booked now. */
  NOT_ON_SALE: { status: "scheduled" | "cancelled" | "started" | "closed" };
  /** PRECONDITION_FAILED: the booking is not in a state that allows this. */
  BOOKING_NOT_HELD: { status: "held" | "confirmed" | "expired" | "cancelled" };
  /** PRECONDITION_FAILED: the hold ran out (some seats may have gone to someone else). */
  HOLD_EXPIRED: { expiredAt: string; seatsLost: boolean };
  /** PAYMENT_REQUIRED: the card was declined; the seats stay held until then. */
  CARD_DECLINED: { heldUntil: string };
  /** CONFLICT: an upload with this import id is still being read (a retry should wait). */
  IMPORT_RUNNING: { importId: string };
  /** CONFLICT: this import id belongs to someone else (choose a new one). */
  IMPORT_ID_TAKEN: { importId: string };
}

export type FailureReason = keyof FailureData;

/**
 * One failure (or, for a union of reasons, any of them), tagged by its reason. Each member is
 * one flat object type, so editors show `{ reason: "SEATS_TAKEN"; seatIds: string[] }`.
 */
export type Failure<R extends FailureReason = FailureReason> = {
  [K in R]: { [F in "reason" | keyof FailureData[K]]: F extends keyof FailureData[K] ? FailureData[K][F] : K };
}[R];

/** The wire code each reason is sent with: fixed per reason, so a client never sees a mix. */
export const FAILURE_CODES = {
  SEATS_TAKEN: "CONFLICT",
  NOT_ENOUGH_SEATS: "CONFLICT",
  SEATS_NOT_IN_EVENT: "BAD_REQUEST",
  NOT_ON_SALE: "PRECONDITION_FAILED",
  BOOKING_NOT_HELD: "PRECONDITION_FAILED",
  HOLD_EXPIRED: "PRECONDITION_FAILED",
  CARD_DECLINED: "PAYMENT_REQUIRED",
  IMPORT_RUNNING: "CONFLICT",
  IMPORT_ID_TAKEN: "CONFLICT",
} as const satisfies Record<FailureReason, DomainErrorCode>;

/** Thrown by domain functions; the router turns it into the matching RPC error, message intact. */
export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** What a client can act on, when the failure is one it may switch on. */
    readonly failure?: Failure,
  ) {
    super(message);
  }
}

/** A failure with its reason and data; its wire code follows from the reason. */
export function failed<R extends FailureReason>(reason: R, data: FailureData[R], message: string): DomainError {
  // The mapped type cannot see that `{ reason: R } & FailureData[R]` is one of its members.
  const failure = { reason, ...data } as unknown as Failure;
  return new DomainError(FAILURE_CODES[reason], message, failure);
}

/** Whether a stored or received value is a failure of a known reason (replays read it back from JSON). */
export function isFailure(value: unknown): value is Failure {
  if (typeof value !== "object" || value === null || !("reason" in value)) return false;
  return typeof value.reason === "string" && Object.hasOwn(FAILURE_CODES, value.reason);
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} was not found.`);
