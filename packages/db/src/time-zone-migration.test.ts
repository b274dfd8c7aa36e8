import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "./paths";

const MIGRATION = /_venue_time_zones_and_delivery_failures\.sql$/;

/** The statements of a migration file, as drizzle's migrator splits them. */
const statements = (file: string) =>
  readFileSync(join(migrationsFolder(), file), "utf8")
    .split("--> statement-breakpoint")
    .map((statement) => statement.trim())
    .filter(Boolean);

describe("the migration that gives venues a time zone", () => {
  const db = new PGlite();
  afterAll(() => db.close());

  it("backfills existing venues from their city where the seed knows it, else UTC", async () => {
    const files = readdirSync(migrationsFolder())
      .filter((name) => name.endsWith(".sql"))
      .sort();
    const index = files.findIndex((name) => MIGRATION.test(name));
    expect(index).toBeGreaterThan(0);
    for (const file of files.slice(0, index)) for (const statement of statements(file)) await db.exec(statement);
    await db.exec(`INSERT INTO venues (name, city) VALUES
      ('The Lantern Room', 'Austin'), ('Harbor Hall', 'Portland'), ('Northgate Arena', 'Manchester'),
      ('Somewhere Else', 'Reykjavik')`);

    for (const statement of statements(files[index] ?? "")) await db.exec(statement);

    const { rows } = await db.query<{ name: string; time_zone: string }>(
      "SELECT name, time_zone FROM venues ORDER BY name",
    );
    expect(rows).toEqual([
      { name: "Harbor Hall", time_zone: "America/Los_Angeles" },
      { name: "Northgate Arena", time_zone: "Europe/London" },
      { name: "Somewhere Else", time_zone: "UTC" },
      { name: "The Lantern Room", time_zone: "America/Chicago" },
    ]);
    // From now on a venue must say its zone.
    await expect(db.exec("INSERT INTO venues (name, city) VALUES ('No Zone Hall', 'Austin')")).rejects.toThrow(
      /null value in column "time_zone"/,
    );
    // Booting PGlite and running every migration is slow on a loaded machine.
  }, 180_000);
});
