import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestApi } from "@ticketing/api/testing";
import { closedPort } from "@ticketing/rpc/testing";
import { startTestServer, TEST_WORKER_TOKEN, type TestServer } from "@ticketing/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmedBookings, notificationsOf, settleOutbox } from "./support/fixtures";
import { eventually, runWorker } from "./support/process";

/** A stand-in for an API that is down until told otherwise: it drops every connection, then forwards. */
async function startSwitchableProxy(target: string) {
  let up = false;
  let dropped = 0;
  const proxy = http.createServer((req, res) => {
    if (!up) {
      dropped += 1;
      req.socket.destroy();
      return;
    }
    const upstream = http.request(
      new URL(req.url ?? "/", target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropped: () => dropped,
    bringUp: () => {
      up = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

describe("the worker process", () => {
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), "worker-process-"));
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails over from an instance that is down to one that answers", async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const run = runWorker(["--once"], {
      API_URLS: `${down},${server.url}`,
      WORKER_TOKEN: TEST_WORKER_TOKEN,
      WORKER_OUTBOX_DIR: join(dir, "failover"),
      // Queries and keyed mutations alike go round-robin: make enough calls to meet both.
      WORKER_HOLD_SWEEP_LIMIT: "1",
    });
    expect(await run.exited).toBe(0);
    const lines = run.logs();
    expect(
      lines.filter((line) => line.msg.startsWith("API instance out of rotation")).map((line) => line.server),
    ).toEqual([down]);
    expect(lines.some((line) => line.msg.startsWith("API unavailable"))).toBe(false);
    expect(lines.some((line) => line.msg === "each job ran once")).toBe(true);
  });

  it("waits out an API that is down, logging the outage once, and resumes by itself", async () => {
    const proxy = await startSwitchableProxy(server.url);
    const api = await createTestApi(server.database);
    await settleOutbox(server.database.db);
    const worker = runWorker([], {
      API_URL: proxy.url,
      WORKER_TOKEN: TEST_WORKER_TOKEN,
      WORKER_OUTBOX_DIR: join(dir, "outbox"),
      WORKER_BACKOFF_BASE_MS: "20",
      WORKER_BACKOFF_MAX_MS: "200",
      WORKER_POLL_INTERVAL_MS: "100",
      WORKER_HOLD_SWEEP_INTERVAL_MS: "100",
    });
    try {
      await worker.waitForLog((line) => line.msg.startsWith("API unavailable"));
      await eventually("the worker to retry several times", async () => proxy.dropped() >= 10);
      const outage = (msg: string) => worker.logs().filter((line) => line.msg === msg);
      expect(outage("API unavailable: backing off and retrying until it answers")).toHaveLength(1);
      expect(outage("API unavailable: backing off and retrying until it answers")[0]).toMatchObject({
        level: 40,
        api: proxy.url,
        reason: expect.stringMatching(/^fetch failed; (other side closed|socket hang up|read ECONNRESET)/),
      });

      proxy.bringUp();
      await worker.waitForLog((line) => line.msg === "API available again");
      const [bookingId] = await confirmedBookings(api, 1);
      const [email] = await notificationsOf(server.database.db, [bookingId ?? ""]);
      await worker.waitForLog((line) => line.msg === "notification delivered" && line.notificationId === email?.id);

      expect(outage("API unavailable: backing off and retrying until it answers")).toHaveLength(1);
      expect(outage("API available again")).toHaveLength(1);
      // Ten or more dropped connections (link retries within each call, calls within the
      // outage) and still one line each way.
      expect(outage("API available again")[0]?.failures).toBeGreaterThanOrEqual(1);
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
    } finally {
      worker.child.kill("SIGKILL");
      await proxy.close();
    }
  });

  it("stops an import on SIGTERM with exit 1, saying so", async () => {
    const feed = join(dir, "two.json");
    const row = { name: "Row", venue: "The Lantern Room", startsAt: "2027-01-01T20:00:00Z" };
    writeFileSync(
      feed,
      JSON.stringify([
        { ...row, externalId: "a-1" },
        { ...row, externalId: "a-2" },
      ]),
    );
    const run = runWorker(["import", feed], {
      API_URL: `http://127.0.0.1:${await closedPort()}`,
      WORKER_RETRY_ATTEMPTS: "100",
      WORKER_BACKOFF_BASE_MS: "200",
    });
    await run.waitForLog((line) => line.msg === "API unavailable: backing off and retrying until it answers");
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(1);
    expect(run.stdout()).not.toContain("created");
    expect(run.stderr()).toContain("import: stopped before the import finished; rows already read went in\n");
  });

  it("stops with exit 1 and a clear line when it cannot run", async () => {
    const port = await closedPort();
    const feed = join(dir, "one.json");
    writeFileSync(
      feed,
      JSON.stringify([{ externalId: "one", name: "One", venue: "The Lantern Room", startsAt: "2027-01-01T20:00:00Z" }]),
    );
    const runs = {
      unknownCommand: runWorker(["sweep"], {}),
      badUrl: runWorker(["--once"], { API_URL: "ftp://example" }),
      production: runWorker(["--once"], { NODE_ENV: "production", WORKER_TOKEN: "" }),
      // `npm run worker` without NODE_ENV is production: the development token is refused.
      productionByDefault: runWorker(["--once"], { NODE_ENV: "", WORKER_TOKEN: "dev-worker-token-change-me" }),
      missingFeed: runWorker(["import", join(dir, "missing.csv")], {}),
      unreachable: runWorker(["import", feed], {
        API_URL: `http://127.0.0.1:${port}`,
        WORKER_RETRY_ATTEMPTS: "2",
        WORKER_BACKOFF_BASE_MS: "10",
      }),
      wrongToken: runWorker(["--once"], { API_URL: server.url, WORKER_TOKEN: "not-the-token-at-all" }),
    };
    const codes = await Promise.all(Object.values(runs).map((run) => run.exited));
    expect(codes).toEqual([1, 1, 1, 1, 1, 1, 1]);

    expect(runs.unknownCommand.stderr()).toContain('worker: unknown command "sweep"\nusage: worker [--once]');
    expect(runs.badUrl.stderr()).toBe(
      "worker: Invalid configuration:\n  API_URL: must be an http:// or https:// URL\n",
    );
    for (const run of [runs.production, runs.productionByDefault]) {
      expect(run.stderr()).toContain(
        "  WORKER_TOKEN: is required in production, which `npm run worker` is unless NODE_ENV says otherwise: " +
          "set the secret the server was started with (the development default is refused)",
      );
    }
    expect(runs.missingFeed.stderr()).toBe(`import: ${join(dir, "missing.csv")}: no such file\n`);
    expect(runs.unreachable.stdout()).toBe(
      `Importing ${feed} (${statSync(feed).size} bytes) into http://127.0.0.1:${port}\n`,
    );
    expect(runs.unreachable.stderr()).toContain(
      `import: The API at http://127.0.0.1:${port} did not answer after 2 attempts: fetch failed; connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(runs.wrongToken.logs().at(-1)).toMatchObject({
      level: 50,
      msg: expect.stringMatching(
        /^The API refused the service account \(UNAUTHORIZED\): .+ Check that WORKER_TOKEN matches the server's\.$/,
      ),
    });
  });
});
