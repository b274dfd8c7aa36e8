import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { type DatabaseHandle, openDatabase, wrapPglite } from "./client";
import { migrateDatabase } from "./migrate";
import { migrationsFolder, repoRoot } from "./paths";
import { seedDemo } from "./seed";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";

/** A migrated, empty in-memory PGlite. */
export async function createMemoryDatabase(): Promise<DatabaseHandle> {
  const handle = await openDatabase("pglite://memory");
  await migrateDatabase(handle);
  return handle;
}

/**
 * What the seeded template depends on: the migrations, the seed, and the day (the seed
 * places events relative to today, so yesterday's template would hold different dates).
 */
function templateKey(): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(migrationsFolder()).sort()) {
    if (file.endsWith(".sql")) hash.update(readFileSync(join(migrationsFolder(), file)));
  }
  for (const file of [
    "seed.ts",
    "seed-data.ts",
    "ids.ts",
    "inventory.ts",
    "schema.ts",
    "accounts.ts",
    "passwords.ts",
  ]) {
    hash.update(readFileSync(join(repoRoot(), "packages", "db", "src", file)));
  }
  hash.update(new Date().toISOString().slice(0, 10));
  return hash.digest("hex").slice(0, 16);
}

/**
 * An in-memory PGlite holding the demo seed. Building one costs ~4 s (start, migrate,
 * seed); loading a saved copy costs ~0.6 s, so the first test process saves a template
 * that every later one loads.
 */
export async function createSeededMemoryDatabase(options: { traceStatements?: boolean } = {}): Promise<DatabaseHandle> {
  const cacheDir = join(repoRoot(), "node_modules", ".cache", "ticketing");
  const templatePath = join(cacheDir, `pglite-seeded-${templateKey()}.tar`);
  let template: Buffer | undefined;
  try {
    template = readFileSync(templatePath);
  } catch {
    template = undefined;
  }
  if (template) {
    const client = await PGlite.create({ loadDataDir: new Blob([new Uint8Array(template)]) });
    return wrapPglite(client, "PGlite in memory (seeded)", undefined, options.traceStatements);
  }
  const handle = await createMemoryDatabase();
  await seedDemo(handle.db);
  if (handle.kind === "pglite") {
    const dump = await handle.client.dumpDataDir("none");
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${templatePath}.${process.pid}.${randomBytes(4).toString("hex")}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, templatePath);
    if (options.traceStatements) return wrapPglite(handle.client, handle.description, undefined, true);
  }
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
      await dropScratchPostgres(url.toString(), baseUrl);
    },
  };
}

/**
 * Drops a database made by `createScratchPostgres` (from another process too, given its URL),
 * closing what is still connected. Refuses any other database.
 */
export async function dropScratchPostgres(url: string, baseUrl = TEST_DATABASE_URL): Promise<string> {
  const name = new URL(url).pathname.slice(1);
  if (!/^ticketing_t_[a-z0-9_]+$/.test(name)) throw new Error(`not a scratch database: ${name}`);
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  return name;
}
