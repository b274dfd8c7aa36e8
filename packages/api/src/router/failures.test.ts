import { describe, expect, it } from "vitest";
import { FAILURE_CODES, type Failure, failed, isFailure } from "../domain/errors";
import { declaredFailure, declaredFailures } from "./failures";

describe("declared failures", () => {
  it("go out only from a procedure that declares them", () => {
    const taken: Failure<"SEATS_TAKEN"> = { reason: "SEATS_TAKEN", seatIds: ["s-1"] };
    expect(declaredFailure("createBooking", taken)).toEqual(taken);
    expect(declaredFailure("confirmBooking", taken)).toBeNull();
    expect(declaredFailure("getEvent", taken)).toBeNull();
    expect(declaredFailure(undefined, taken)).toBeNull();
    expect(declaredFailure("createBooking", undefined)).toBeNull();
  });

  it("name known reasons, each with its one wire code", () => {
    // The keys are checked against the router's procedures at compile time (root.ts, `Declaring`).
    for (const reasons of Object.values(declaredFailures)) {
      for (const reason of reasons) expect(Object.keys(FAILURE_CODES)).toContain(reason);
    }
    const error = failed("CARD_DECLINED", { heldUntil: "2030-01-01T00:00:00.000Z" }, "The card was declined.");
    expect(error).toMatchObject({ code: "PAYMENT_REQUIRED", message: "The card was declined." });
    expect(error.failure).toEqual({ reason: "CARD_DECLINED", heldUntil: "2030-01-01T00:00:00.000Z" });
  });

  it("are recognized when read back from storage, and nothing else is", () => {
    expect(isFailure({ reason: "IMPORT_RUNNING", importId: "i" })).toBe(true);
    expect(isFailure({ reason: "SOMETHING_ELSE" })).toBe(false);
    expect(isFailure(null)).toBe(false);
    expect(isFailure("SEATS_TAKEN")).toBe(false);
  });
});
