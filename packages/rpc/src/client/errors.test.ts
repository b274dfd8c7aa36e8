import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { declaredErrorReader, isRpcClientError, rpcErrorCode } from "./errors";

describe("rpcErrorCode", () => {
  it("reads the code of a tRPC error answer", () => {
    const conflict = TRPCClientError.from({
      error: { message: "Seat A-1 is taken.", code: -32009, data: { code: "CONFLICT", httpStatus: 409 } },
    });
    expect(rpcErrorCode(conflict)).toBe("CONFLICT");
  });

  it("is undefined when no tRPC answer came back", () => {
    expect(rpcErrorCode(new TRPCClientError("fetch failed"))).toBeUndefined();
    expect(rpcErrorCode(new Error("not a client error"))).toBeUndefined();
    expect(
      rpcErrorCode(TRPCClientError.from({ error: { message: "odd", code: -32603, data: { code: 7 } } })),
    ).toBeUndefined();
  });
});

describe("declaredErrorReader", () => {
  type Declared = { book: { reason: "TAKEN"; seatIds: string[] }; pay: { reason: "DECLINED" } };
  const declaredError = declaredErrorReader<Declared>();
  const taken = TRPCClientError.from({
    error: {
      message: "Seat A-1 is taken.",
      code: -32009,
      data: { code: "CONFLICT", httpStatus: 409, path: "book", failure: { reason: "TAKEN", seatIds: ["a1"] } },
    },
  });

  it("reads the failure of the procedure it is asked about, and only of that one", () => {
    expect(declaredError(taken, "book")).toEqual({ reason: "TAKEN", seatIds: ["a1"] });
    expect(declaredError(taken, "pay")).toBeUndefined();
    expect(isRpcClientError(taken)).toBe(true);
  });

  it("is undefined for an answer without one, no answer, and anything else", () => {
    const plain = TRPCClientError.from({
      error: { message: "Bad", code: -32600, data: { code: "BAD_REQUEST", path: "book", failure: null } },
    });
    expect(declaredError(plain, "book")).toBeUndefined();
    expect(declaredError(new TRPCClientError("fetch failed"), "book")).toBeUndefined();
    expect(declaredError(new Error("Seat taken"), "book")).toBeUndefined();
    expect(isRpcClientError(new Error("x"))).toBe(false);
  });
});
