import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssues, issuesOf } from "./issues";

describe("describeIssues", () => {
  it("names each issue with where it is, and counts those past the fifth", () => {
    const result = z
      .object({ a: z.number(), b: z.string(), nested: z.object({ c: z.boolean() }) })
      .safeParse({ a: "x", b: 1, nested: { c: "no" } });
    const issues = issuesOf(result.error);
    expect(issues).toHaveLength(3);
    expect(describeIssues(issues ?? [])).toBe(
      "Invalid input — a: Invalid input: expected number, received string; " +
        "b: Invalid input: expected string, received number; nested.c: Invalid input: expected boolean, received string",
    );
    const many = Array.from({ length: 7 }, (_, i) => ({ message: `bad ${i}`, path: [{ key: `f${i}` }] }));
    expect(describeIssues(many)).toBe(
      "Invalid input — f0: bad 0; f1: bad 1; f2: bad 2; f3: bad 3; f4: bad 4 (and 2 more)",
    );
    expect(describeIssues([{ message: "Give either seatIds or quantity" }])).toBe(
      "Invalid input — Give either seatIds or quantity",
    );
  });

  it("finds issues only on a schema's failure", () => {
    expect(issuesOf(new Error("no issues"))).toBeUndefined();
    expect(issuesOf({ issues: [{ nope: 1 }] })).toBeUndefined();
    expect(issuesOf(null)).toBeUndefined();
  });
});
