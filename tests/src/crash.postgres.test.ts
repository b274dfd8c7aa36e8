import { createScratchPostgres } from "@ticketing/db/testing";
import { postgresAvailable } from "@ticketing/server/testing";
import { describe, expect, it } from "vitest";
import { crashAndRecover } from "./support/crash";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  it("kill -9 during a booking load: the restarted server has every acknowledged booking, no seat twice", {
    timeout: 240_000,
  }, async () => {
    const scratch = await createScratchPostgres();
    try {
      const report = await crashAndRecover({ databaseUrl: scratch.url });
      expect(report.inFlightAtKill).toBeGreaterThan(0);
      expect(report.lost).toBe(0);
    } finally {
      await scratch.drop();
    }
  });
});
