import type { AppRouter, ProcedureFailures } from "@ticketing/api";
import { eventId } from "@ticketing/db";
import { declaredErrorReader } from "@ticketing/rpc/client";
import { startTestServer, type TestServer } from "@ticketing/server/testing";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { clientFor, signIn } from "./support/client";

// Declared errors over the wire: a vanilla tRPC client of the router gets each procedure's
// declared error as `data.failure`, typed per procedure by `ProcedureFailures` (a type the
// api package exports: nothing is generated), and a replay answers with the same data.
const declaredError = declaredErrorReader<ProcedureFailures>();

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** The error a call failed with; fails the test if the call succeeded. */
async function failureOf(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof TRPCClientError)) throw new Error(`expected a failed call, got ${String(outcome)}`);
  // A client of AppRouter fails with its error shape.
  return outcome as TRPCClientError<AppRouter>;
}

async function freeSeats(event: string, count: number): Promise<string[]> {
  const { seats } = await clientFor(server.url).getAvailableTickets.query({ eventId: event });
  return seats.slice(0, count).map((seat) => seat.seatId);
}

describe("declared errors", () => {
  it("name the seats someone else took, so a seat map can mark them", async () => {
    const event = eventId("harbor-jazz");
    const [first, second] = await freeSeats(event, 2);
    if (!first || !second) throw new Error("the seed has free seats");
    const alice = (await signIn(server.url, "alice@example.com")).client;
    const bob = (await signIn(server.url, "bob@example.com")).client;
    await alice.createBooking.mutate({ eventId: event, seatIds: [first] });

    const error = await failureOf(bob.createBooking.mutate({ eventId: event, seatIds: [first, second] }));
    expect(error.data).toMatchObject({ code: "CONFLICT", path: "createBooking" });
    const failure = declaredError(error, "createBooking");
    expect(failure).toEqual({ reason: "SEATS_TAKEN", seatIds: [first] });
    // Asked about another procedure, the reader does not mistake this error for one of its own.
    expect(declaredError(error, "confirmBooking")).toBeUndefined();
  });

  it("say why an event cannot be booked, and how many seats a quantity could have had", async () => {
    const alice = (await signIn(server.url, "alice@example.com")).client;
    const scheduled = await failureOf(alice.createBooking.mutate({ eventId: eventId("aurora-ballet"), quantity: 1 }));
    expect(scheduled.data?.code).toBe("PRECONDITION_FAILED");
    expect(declaredError(scheduled, "createBooking")).toEqual({ reason: "NOT_ON_SALE", status: "scheduled" });

    const soldOut = await failureOf(alice.createBooking.mutate({ eventId: eventId("lantern-comedy"), quantity: 2 }));
    expect(declaredError(soldOut, "createBooking")).toEqual({ reason: "NOT_ENOUGH_SEATS", available: 0, requested: 2 });
  });

  it("keep a declined card's hold deadline, and a replay of the same key answers the same data", async () => {
    const event = eventId("city-lights");
    const [seat] = await freeSeats(event, 1);
    if (!seat) throw new Error("the seed has free seats");
    const alice = (await signIn(server.url, "alice@example.com")).client;
    const booking = await alice.createBooking.mutate({ eventId: event, seatIds: [seat] });
    const pay = { bookingId: booking.id, paymentToken: "tok_decline", idempotencyKey: `declined-${booking.id}` };

    const first = await failureOf(alice.confirmBooking.mutate(pay));
    expect(first.data?.code).toBe("PAYMENT_REQUIRED");
    const declined = declaredError(first, "confirmBooking");
    expect(declined).toEqual({ reason: "CARD_DECLINED", heldUntil: booking.expiresAt.toISOString() });

    // Another card pays. The declined call's key still answers its stored outcome (run again,
    // it would now meet a confirmed booking), data included.
    await alice.confirmBooking.mutate({ bookingId: booking.id, paymentToken: "tok_visa" });
    const replay = await failureOf(alice.confirmBooking.mutate(pay));
    expect(replay.message).toBe(first.message);
    expect(declaredError(replay, "confirmBooking")).toEqual(declined);

    const again = await failureOf(alice.confirmBooking.mutate({ bookingId: booking.id, paymentToken: "tok_visa" }));
    expect(declaredError(again, "confirmBooking")).toEqual({ reason: "BOOKING_NOT_HELD", status: "confirmed" });
  });

  it("are absent from errors that are not declared: input errors keep their field errors", async () => {
    const alice = (await signIn(server.url, "alice@example.com")).client;
    const error = await failureOf(alice.createBooking.mutate({ eventId: "not-a-uuid", quantity: 1 }));
    expect(error.data).toMatchObject({ code: "BAD_REQUEST", failure: null });
    expect(declaredError(error, "createBooking")).toBeUndefined();
  });

  it("are typed per procedure from the router", () => {
    type CreateFailure = ReturnType<typeof declaredError<"createBooking">>;
    expectTypeOf<NonNullable<CreateFailure>["reason"]>().toEqualTypeOf<
      "NOT_ON_SALE" | "SEATS_TAKEN" | "NOT_ENOUGH_SEATS" | "SEATS_NOT_IN_EVENT"
    >();
    expectTypeOf<Extract<NonNullable<CreateFailure>, { reason: "SEATS_TAKEN" }>>().toEqualTypeOf<{
      reason: "SEATS_TAKEN";
      seatIds: string[];
    }>();
    // A procedure that declares nothing has no declared error to read.
    expectTypeOf<ReturnType<typeof declaredError<"getEvent">>>().toBeUndefined();
    const wrongUses = [
      (error: unknown) =>
        // @ts-expect-error createBooking does not declare CARD_DECLINED
        declaredError(error, "createBooking")?.reason === "CARD_DECLINED",
      // @ts-expect-error no such procedure
      (error: unknown) => declaredError(error, "bookEverything"),
      (error: unknown) => {
        const failure = declaredError(error, "confirmBooking");
        // @ts-expect-error a declined card carries no seat ids
        return failure?.reason === "CARD_DECLINED" && failure.seatIds;
      },
    ];
    expect(wrongUses).toHaveLength(3);
  });
});
