import type { AddressInfo } from "node:net";
import { type AvailabilityFeedOptions, startAvailabilityFeed } from "@ticketing/api";
import { type DatabaseHandle, migrateDatabase, openDatabase, seedDemo } from "@ticketing/db";
import {
  createScratchPostgres,
  createSeededMemoryDatabase,
  probePostgres,
  TEST_DATABASE_URL,
} from "@ticketing/db/testing";
import { createApp } from "./app";
import { loadConfig } from "./config";
import { createLogger } from "./logger";

export const TEST_WORKER_TOKEN = "test-worker-token-0123456789";

export interface TestServer {
  url: string;
  database: DatabaseHandle;
  close(): Promise<void>;
}

/**
 * The real HTTP server on an ephemeral loopback port. Without `databaseUrl` it runs on a
 * seeded in-memory PGlite; with one (PostgreSQL) it migrates and seeds that database.
 */
export async function startTestServer(
  options: { databaseUrl?: string; env?: Record<string, string>; feed?: AvailabilityFeedOptions } = {},
): Promise<TestServer> {
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    WORKER_TOKEN: TEST_WORKER_TOKEN,
    LOG_LEVEL: "silent",
    SHUTDOWN_GRACE_MS: "2000",
    ...options.env,
  });
  let database: DatabaseHandle;
  if (options.databaseUrl) {
    database = await openDatabase(options.databaseUrl, { poolSize: 20 });
    await migrateDatabase(database);
    await seedDemo(database.db);
  } else {
    database = await createSeededMemoryDatabase();
  }
  const availability = await startAvailabilityFeed(database, { sweepIntervalMs: 1_000, ...options.feed });
  const app = createApp({ config, database, logger: createLogger("silent", false), availability });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, database, close: () => app.close() };
}

/**
 * Whether this run can use PostgreSQL. In CI it must: a missing server fails the suite
 * rather than skipping it. Elsewhere the suite is skipped with the reason printed.
 */
export async function postgresAvailable(): Promise<boolean> {
  const probe = await probePostgres();
  if (probe.ok) return true;
  if (process.env.CI) {
    throw new Error(`PostgreSQL is required in CI but ${TEST_DATABASE_URL} is unreachable: ${probe.reason}`);
  }
  console.warn(
    `Skipping a PostgreSQL suite: ${TEST_DATABASE_URL} is unreachable (${probe.reason}). Set TEST_DATABASE_URL.`,
  );
  return false;
}

/** The server on a scratch PostgreSQL database that is dropped when the server closes. */
export async function startPostgresServer(env?: Record<string, string>): Promise<TestServer> {
  const scratch = await createScratchPostgres();
  const server = await startTestServer({ databaseUrl: scratch.url, ...(env && { env }) });
  return {
    ...server,
    close: async () => {
      await server.close();
      await scratch.drop();
    },
  };
}

/**
 * Calls a procedure as a raw JSON client would (`{"json": input}` over POST, no tRPC client),
 * with a Bearer token when given; returns its result's data, and fails naming the procedure
 * with the error body otherwise.
 */
export async function callProcedure(url: string, path: string, input: unknown, token?: string) {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ json: input }),
  });
  const body = (await response.json()) as { result?: { data: { json: Record<string, unknown> } } };
  if (!body.result) throw new Error(`${path} failed: ${JSON.stringify(body)}`);
  return body.result.data.json;
}
