import type { SQL } from "drizzle-orm";
import type { Database } from "./client";

/**
 * Runs raw SQL and returns its rows. Both drivers (node-postgres and PGlite) answer with
 * `{ rows }`, but drizzle's driver-generic database type leaves that shape unknown: this is
 * the one place that states it.
 */
export async function queryRows<T extends Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute<T>(query)) as unknown as { rows: T[] };
  return result.rows;
}
