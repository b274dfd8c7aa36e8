import { describe, expect, it } from "vitest";
import { checkDirectPath, installedTrpcRelease, VERIFIED_TRPC_RELEASES } from "./trpc-version";

describe("the direct path's release check", () => {
  it("passes the installed @trpc/server, which the equivalence suites run on", () => {
    expect(installedTrpcRelease()).toMatch(/^\d+\.\d+\.\d+/);
    expect(checkDirectPath()).toEqual({
      verified: true,
      installed: installedTrpcRelease(),
      verifiedReleases: VERIFIED_TRPC_RELEASES,
    });
  });

  it("refuses a release it was not checked against", () => {
    expect(checkDirectPath("11.25.2").verified).toBe(false);
    expect(checkDirectPath("12.0.0").verified).toBe(false);
  });
});
