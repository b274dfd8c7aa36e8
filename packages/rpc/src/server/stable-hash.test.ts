import { describe, expect, it } from "vitest";
import { stableHash } from "./stable-hash";

describe("stableHash", () => {
  it("ignores key order and absent fields, and sees every value", () => {
    expect(stableHash({ a: 1, b: { c: [1, 2], d: "x" } })).toBe(stableHash({ b: { d: "x", c: [1, 2] }, a: 1 }));
    expect(stableHash({ a: 1, b: undefined })).toBe(stableHash({ a: 1 }));
    expect(stableHash({ a: 1 })).not.toBe(stableHash({ a: 2 }));
    expect(stableHash([1, 2])).not.toBe(stableHash([2, 1]));
    expect(stableHash({ at: new Date(0) })).toBe(stableHash({ at: "1970-01-01T00:00:00.000Z" }));
  });
});
