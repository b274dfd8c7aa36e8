import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventId } from "@ticketing/db";
import { createScratchPostgres } from "@ticketing/db/testing";
import { postgresAvailable } from "@ticketing/server/testing";
import { afterAll, describe, expect, it } from "vitest";
import { clientFor } from "./support/client";
import { runScript, startServerProcess } from "./support/process";

const WORKER_TOKEN = "process-test-worker-token";

describe("the server process on file-backed PGlite", () => {
  const dir = mkdtempSync(join(tmpdir(), "ticketing-process-"));
  const dataDir = join(dir, "pglite");
  const env = { DATABASE_URL: `pglite://${dataDir}`, WORKER_TOKEN };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("seeds, serves, stops on SIGTERM with exit 0, and keeps bookings and their idempotency records across a restart", async () => {
    const seed = runScript("packages/db/src/cli/seed.ts", env);
    expect(await seed.exited).toBe(0);
    expect(seed.output()).toMatch(/Seeded PGlite at .*: \d+ users, 3 venues/);

    const first = await startServerProcess(env);
    const session = await clientFor(first.url).signIn.mutate({ email: "alice@example.com", password: "demo-password" });
    const idempotencyKey = `restart-${randomUUID()}`;
    const request = { eventId: eventId("lena-park"), quantity: 2, idempotencyKey };
    const booking = await clientFor(first.url, session.token).createBooking.mutate(request);

    const second = runScript("apps/server/src/main.ts", { ...env, PORT: "0" });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      `The embedded database at ${dataDir} is already open in process ${first.child.pid}.`,
    );

    expect(await first.stop("SIGTERM")).toBe(0);
    expect(first.output()).toContain("stopped");
    expect(existsSync(`${dataDir}.lock`)).toBe(false);

    const restarted = await startServerProcess(env);
    const client = clientFor(restarted.url, session.token);
    expect((await client.getBooking.query({ bookingId: booking.id })).status).toBe("held");
    const replay = await client.createBooking.mutate(request);
    expect(replay.id).toBe(booking.id);
    expect(await restarted.stop("SIGINT")).toBe(0);
  });

  it("refuses to start in production without a worker token, naming the variable", async () => {
    const run = runScript("apps/server/src/main.ts", {
      NODE_ENV: "production",
      WORKER_TOKEN: "",
      DATABASE_URL: "pglite://memory",
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("WORKER_TOKEN: is required in production");
  });
});

const pg = await postgresAvailable();

describe.runIf(pg)("server processes on one PostgreSQL", () => {
  it("start three at once without racing their migrations", async () => {
    const scratch = await createScratchPostgres();
    try {
      const env = { DATABASE_URL: scratch.url, WORKER_TOKEN };
      const servers = await Promise.all([startServerProcess(env), startServerProcess(env), startServerProcess(env)]);
      for (const server of servers) {
        const ready = await fetch(`${server.url}/ready`);
        expect(ready.status).toBe(200);
      }
      expect(await Promise.all(servers.map((server) => server.stop()))).toEqual([0, 0, 0]);
    } finally {
      await scratch.drop();
    }
  });
});
