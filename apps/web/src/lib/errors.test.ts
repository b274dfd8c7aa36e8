import { rpcErrorCode } from "@ticketing/rpc/client";
import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { describeError, errorCode, fieldErrors, isRouterError } from "./errors";

// errors.ts recognizes tRPC's errors without importing @trpc/client; these are real ones.
const conflict = TRPCClientError.from({
  error: { message: "Seat A-1 is taken.", code: -32009, data: { code: "CONFLICT", httpStatus: 409 } },
});
const badRequest = TRPCClientError.from({
  error: {
    message: "Invalid input",
    code: -32600,
    data: {
      code: "BAD_REQUEST",
      httpStatus: 400,
      zodError: { formErrors: [], fieldErrors: { quantity: ["Too many"] } },
    },
  },
});
const noAnswer = new TRPCClientError("fetch failed");
const oddCode = TRPCClientError.from({ error: { message: "odd", code: -32603, data: { code: 7 } } });
const plain = new Error("not a client error");

describe("errors of the router, told apart without @trpc/client", () => {
  it("reads the same code as @ticketing/rpc's rpcErrorCode for every kind of failure", () => {
    for (const error of [conflict, badRequest, noAnswer, oddCode, plain, "a string", null]) {
      expect(errorCode(error)).toBe(rpcErrorCode(error));
    }
    expect(errorCode(conflict)).toBe("CONFLICT");
    expect(errorCode(noAnswer)).toBeUndefined();
  });

  it("knows a TRPCClientError from any other Error", () => {
    expect(isRouterError(conflict)).toBe(true);
    expect(isRouterError(noAnswer)).toBe(true);
    expect(isRouterError(plain)).toBe(false);
  });

  it("gives the first message per field of a BAD_REQUEST, and a sentence for a lost connection", () => {
    expect(fieldErrors(badRequest)).toEqual({ quantity: "Too many" });
    expect(fieldErrors(plain)).toEqual({});
    expect(describeError(noAnswer)).toMatch(/cannot be reached/);
    expect(describeError(conflict)).toBe("Seat A-1 is taken.");
  });
});
