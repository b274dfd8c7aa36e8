import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { DatabaseHandle } from "./client";
import { migrationsFolder } from "./paths";
import { queryRows } from "./query";

// Any constant works; it only has to be the same in every instance that migrates.
const MIGRATION_LOCK = 7_240_431_001;

/**
 * Applies the committed SQL migrations. drizzle's migrator takes no lock, so on
 * PostgreSQL a session-level advisory lock makes instances that start together take
 * turns: the first migrates, the others find nothing left to do.
 */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder: migrationsFolder() };
  if (handle.kind === "pglite") {
    await migratePglite(drizzlePglite({ client: handle.client }), config);
    return;
  }
  const client = await handle.pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await migrateNodePg(drizzleNodePg({ client }), config);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

export type Readiness = { ready: true } | { ready: false; reason: string };

let expectedMigrations: number | undefined;

/** Ready means: the database answers, and every committed migration has been applied. */
export async function checkReadiness(handle: DatabaseHandle): Promise<Readiness> {
  expectedMigrations ??= readMigrationFiles({ migrationsFolder: migrationsFolder() }).length;
  try {
    const [row] = await queryRows<{ applied: number }>(
      handle.db,
      sql`SELECT count(*)::int AS applied FROM drizzle.__drizzle_migrations`,
    );
    const applied = row?.applied ?? 0;
    if (applied < expectedMigrations) {
      return { ready: false, reason: `${applied} of ${expectedMigrations} migrations applied` };
    }
    return { ready: true };
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === "42P01" || code === "3F000") return { ready: false, reason: "database not migrated" };
    return { ready: false, reason: "database unreachable" };
  }
}
