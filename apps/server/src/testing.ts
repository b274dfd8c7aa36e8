import type { AddressInfo } from "node:net";
import { type DatabaseHandle, migrateDatabase, openDatabase, seedDemo } from "@ticketing/db";
import { createSeededMemoryDatabase } from "@ticketing/db/testing";
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
  options: { databaseUrl?: string; env?: Record<string, string> } = {},
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
  const app = createApp({ config, database, logger: createLogger("silent", false) });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, database, close: () => app.close() };
}
