import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { type DatabaseHandle, migrateDatabase, openDatabase, seedDemo } from "@ticketing/db";
import { createScratchPostgres, createSeededMemoryDatabase } from "@ticketing/db/testing";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { type App, createApp } from "./app";
import { loadConfig } from "./config";
import { createLogger } from "./logger";
import { postgresAvailable } from "./testing";

const onPostgres = await postgresAvailable();

const CANARY_EMAIL = "canary-7f3a9c@leak.example";
const CANARY_NAME = "Canary Quillfeather";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** The real app with the real logger, writing into memory; a constraint the test adds makes signUp fail. */
async function startWithLog(database: DatabaseHandle) {
  let log = "";
  const sink = new Writable({
    write(chunk, _encoding, done) {
      log += String(chunk);
      done();
    },
  });
  // Not a mapped SQLSTATE (23514, check_violation): the call fails with a 500 and a log line.
  await database.db.execute(
    sql.raw(`ALTER TABLE users ADD CONSTRAINT users_no_canary CHECK (name NOT LIKE 'Canary%')`),
  );
  const config = loadConfig({ NODE_ENV: "test", WORKER_TOKEN: "log-test-worker-token-0123" });
  const app: App = createApp({ config, database, logger: createLogger("info", false, sink) });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { url, app, log: () => log };
}

async function signUpCanary(url: string) {
  return fetch(`${url}/trpc/signUp`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: { email: CANARY_EMAIL, password: "canary-password-1", name: CANARY_NAME } }),
  });
}

async function expectNoParametersLogged(database: DatabaseHandle) {
  const { url, app, log } = await startWithLog(database);
  cleanup = async () => {
    await app.close();
  };
  const response = await signUpCanary(url);
  expect(response.status).toBe(500);
  const line = log()
    .split("\n")
    .filter(Boolean)
    .map((text) => JSON.parse(text) as { msg: string; err?: Record<string, unknown> })
    .find((entry) => entry.msg === "call failed");
  expect(line?.err).toMatchObject({ sqlState: "23514", constraint: "users_no_canary", table: "users" });
  expect(log()).not.toContain(CANARY_EMAIL);
  expect(log()).not.toContain(CANARY_NAME);
  expect(log()).not.toContain("canary-password-1");
  expect(log()).not.toMatch(/Failed query|params:/);
}

describe("a failed statement's log line", () => {
  it("carries the SQLSTATE, constraint and table, never the inputs (PGlite)", async () => {
    await expectNoParametersLogged(await createSeededMemoryDatabase());
  });

  it.runIf(onPostgres)("carries the SQLSTATE, constraint and table, never the inputs (PostgreSQL)", async () => {
    const scratch = await createScratchPostgres();
    const database = await openDatabase(scratch.url);
    try {
      await migrateDatabase(database);
      await seedDemo(database.db);
      await expectNoParametersLogged(database);
    } finally {
      await cleanup?.();
      cleanup = undefined;
      await scratch.drop();
    }
  });
});
