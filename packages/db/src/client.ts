import { mkdirSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { acquireDirectoryLock } from "./lock";
import { dataDir } from "./paths";
import * as schema from "./schema";
import { tracedPglite } from "./tracing";

export type Schema = typeof schema;
/** A database or transaction handle: domain functions accept either. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export type StoreLocation = { kind: "pglite"; dataDir: string | undefined } | { kind: "postgres"; url: string };

export type DatabaseHandle = {
  db: Database;
  /** Where the data lives, safe to log (no password). */
  description: string;
  close(): Promise<void>;
} & ({ kind: "pglite"; client: PGlite } | { kind: "postgres"; pool: pg.Pool });

export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
}

/**
 * Reads the store from DATABASE_URL, one rule for every process:
 * unset → PGlite files under .data/pglite at the repo root; `pglite://memory` → in-memory
 * PGlite; `pglite:///absolute/path` → PGlite files there; `postgres://…` → PostgreSQL.
 */
export function parseDatabaseUrl(url: string | undefined): StoreLocation {
  if (url === undefined || url.trim() === "") return { kind: "pglite", dataDir: join(dataDir(), "pglite") };
  if (url === "pglite://memory") return { kind: "pglite", dataDir: undefined };
  if (url.startsWith("pglite://")) {
    const path = decodeURIComponent(url.slice("pglite://".length));
    if (!isAbsolute(path)) {
      throw new DatabaseUrlError(
        `DATABASE_URL=${url} must name an absolute path (pglite:///var/lib/tickets) or be pglite://memory.`,
      );
    }
    return { kind: "pglite", dataDir: path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: "postgres", url };
  throw new DatabaseUrlError(
    "DATABASE_URL must be unset (embedded database in .data/), pglite://memory, pglite:///absolute/path or postgres://…",
  );
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://(unparseable)";
  }
}

export interface OpenOptions {
  /** PostgreSQL pool size; PGlite has one connection by nature. */
  poolSize?: number;
  /** Called for errors of idle pooled connections, which would otherwise crash the process. */
  onPoolError?: (error: Error) => void;
  /**
   * A span per PGlite statement (see tracing.ts); set it when an OpenTelemetry SDK runs.
   * Off, PGlite is handed to drizzle untouched. PostgreSQL's statements are traced by the
   * `pg` instrumentation instead, which the process registers with its SDK.
   */
  traceStatements?: boolean;
}

export async function openDatabase(url: string | undefined, options: OpenOptions = {}): Promise<DatabaseHandle> {
  const location = parseDatabaseUrl(url);
  if (location.kind === "postgres") {
    const pool = new pg.Pool({
      connectionString: location.url,
      max: options.poolSize ?? 10,
      application_name: "ticketing",
    });
    pool.on("error", (error) => options.onPoolError?.(error));
    return {
      kind: "postgres",
      pool,
      db: drizzleNodePg({ client: pool, schema }),
      description: `PostgreSQL ${redactUrl(location.url)}`,
      close: () => pool.end(),
    };
  }
  const traced = options.traceStatements ?? false;
  if (location.dataDir === undefined) return wrapPglite(await PGlite.create(), "PGlite in memory", undefined, traced);
  const directory = location.dataDir;
  mkdirSync(join(directory, ".."), { recursive: true });
  const release = acquireDirectoryLock(`${directory}.lock`, directory);
  try {
    return wrapPglite(await PGlite.create({ dataDir: directory }), `PGlite at ${directory}`, release, traced);
  } catch (error) {
    release();
    throw error;
  }
}

export function wrapPglite(
  client: PGlite,
  description: string,
  onClose?: () => void,
  traceStatements = false,
): DatabaseHandle {
  return {
    kind: "pglite",
    client,
    db: drizzlePglite({ client: traceStatements ? tracedPglite(client) : client, schema }),
    description,
    close: async () => {
      try {
        await client.close();
      } finally {
        onClose?.();
      }
    },
  };
}
