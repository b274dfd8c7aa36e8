import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";

describe("backoffDelay", () => {
  it("waits a random time up to base·2^attempt, capped", () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, policy, () => 0)).toBe(0);
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
  });

  it("stays finite for any attempt number", () => {
    expect(backoffDelay(10_000, { baseMs: 100, maxMs: 1000 }, () => 0.5)).toBe(500);
  });
});
