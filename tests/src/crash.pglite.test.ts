import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crashAndRecover } from "./support/crash";
import { runScript } from "./support/process";

describe("kill -9 during a booking load on file-backed PGlite", () => {
  const dir = mkdtempSync(join(tmpdir(), "ticketing-crash-"));
  const dataDir = join(dir, "pglite");
  const databaseUrl = `pglite://${dataDir}`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("restarts over the dead process's lock and keeps every acknowledged booking, no seat twice", {
    timeout: 240_000,
  }, async () => {
    const report = await crashAndRecover({
      databaseUrl,
      beforeRestart: (killed) => {
        // The killed process could not remove its lock: the restart must take it over.
        expect(readFileSync(`${dataDir}.lock`, "utf8")).toBe(String(killed.child.pid));
      },
      whileRestarted: async (restarted) => {
        // …while a live owner's lock is still refused.
        const intruder = runScript("apps/server/src/main.ts", { DATABASE_URL: databaseUrl, PORT: "0" });
        expect(await intruder.exited).toBe(1);
        expect(intruder.output()).toContain(
          `The embedded database at ${dataDir} is already open in process ${restarted.child.pid}.`,
        );
      },
    });
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    expect(report.inFlightAtKill).toBeGreaterThan(0);
    expect(report.lost).toBe(0);
  });
});
