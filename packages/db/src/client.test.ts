import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase, parseDatabaseUrl } from "./client";
import { checkReadiness, migrateDatabase } from "./migrate";
import { repoRoot } from "./paths";

describe("parseDatabaseUrl", () => {
  it("maps DATABASE_URL to a store exactly as documented", () => {
    expect(parseDatabaseUrl(undefined)).toEqual({ kind: "pglite", dataDir: join(repoRoot(), ".data", "pglite") });
    expect(parseDatabaseUrl("")).toEqual({ kind: "pglite", dataDir: join(repoRoot(), ".data", "pglite") });
    expect(parseDatabaseUrl("pglite://memory")).toEqual({ kind: "pglite", dataDir: undefined });
    expect(parseDatabaseUrl("pglite:///var/lib/tickets")).toEqual({ kind: "pglite", dataDir: "/var/lib/tickets" });
    expect(parseDatabaseUrl("postgres://u@h:5432/db")).toEqual({ kind: "postgres", url: "postgres://u@h:5432/db" });
    expect(parseDatabaseUrl("postgresql://u@h/db")).toEqual({ kind: "postgres", url: "postgresql://u@h/db" });
  });

  it("names the variable when the value makes no sense", () => {
    expect(() => parseDatabaseUrl("mysql://x")).toThrow(/^DATABASE_URL must be unset/);
    expect(() => parseDatabaseUrl("pglite://relative/dir")).toThrow(
      "DATABASE_URL=pglite://relative/dir must name an absolute path",
    );
  });

  it("finds the repository root from its own location, not the working directory", () => {
    const before = process.cwd();
    try {
      process.chdir(tmpdir());
      expect(parseDatabaseUrl(undefined)).toEqual({ kind: "pglite", dataDir: join(repoRoot(), ".data", "pglite") });
      expect(repoRoot()).not.toBe(tmpdir());
    } finally {
      process.chdir(before);
    }
  });
});

describe("file-backed PGlite", () => {
  it("keeps data across a restart and refuses a second opener with a clear message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ticketing-pglite-"));
    const url = `pglite://${join(dir, "db")}`;
    try {
      const first = await openDatabase(url);
      await migrateDatabase(first);
      await first.db.execute("CREATE TABLE kept (v int)");
      await first.db.execute("INSERT INTO kept VALUES (42)");
      await expect(openDatabase(url)).rejects.toThrow(
        `The embedded database at ${join(dir, "db")} is already open in this process.`,
      );
      await first.close();

      const second = await openDatabase(url);
      expect(await checkReadiness(second)).toEqual({ ready: true });
      const result = (await second.db.execute("SELECT v FROM kept")) as unknown as { rows: { v: number }[] };
      expect(result.rows).toEqual([{ v: 42 }]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes over a lock left behind by a process that no longer exists", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ticketing-pglite-"));
    try {
      writeFileSync(join(dir, "db.lock"), "999999999");
      const handle = await openDatabase(`pglite://${join(dir, "db")}`);
      await handle.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is not ready before migrations run", async () => {
    const handle = await openDatabase("pglite://memory");
    expect(await checkReadiness(handle)).toEqual({ ready: false, reason: "database not migrated" });
    await migrateDatabase(handle);
    expect(await checkReadiness(handle)).toEqual({ ready: true });
    await handle.close();
  });
});
