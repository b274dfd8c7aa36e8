import { randomBytes } from "node:crypto";
import pg from "pg";
import { type DatabaseHandle, openDatabase } from "./client";
import { migrateDatabase } from "./migrate";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";

/** A migrated, empty in-memory PGlite: the fast store of unit tests. */
export async function createMemoryDatabase(): Promise<DatabaseHandle> {
  const handle = await openDatabase("pglite://memory");
  await migrateDatabase(handle);
  return handle;
}

/** Whether the test PostgreSQL answers; the reason when it does not. */
export async function probePostgres(url = TEST_DATABASE_URL): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  } finally {
    await client.end().catch(() => {});
  }
}

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh PostgreSQL database on the test server, so suites (and people running them at
 * the same time) never share state. `drop` removes it, closing what is still connected.
 */
export async function createScratchPostgres(baseUrl = TEST_DATABASE_URL): Promise<ScratchDatabase> {
  const name = `ticketing_t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
