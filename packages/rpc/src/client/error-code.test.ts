import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { rpcErrorCode } from "./error-code";

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
