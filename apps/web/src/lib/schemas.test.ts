import { describe, expect, it } from "vitest";
import { z } from "zod";
import { firstFieldErrors, loadSchemas } from "./schemas";

describe("the lazily loaded input schemas", () => {
  it("load once and give each field's first message, as the server's BAD_REQUEST does", async () => {
    const [first, again] = await Promise.all([loadSchemas(), loadSchemas()]);
    expect(again).toBe(first);
    const parsed = first.signInInput.safeParse({ email: "not-an-email", password: "" });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    const server = z.flattenError(parsed.error).fieldErrors;
    expect(firstFieldErrors(parsed.error.issues)).toEqual({
      email: server.email?.[0],
      password: server.password?.[0],
    });
    expect(Object.keys(firstFieldErrors(parsed.error.issues))).toEqual(["email", "password"]);
  });
});
