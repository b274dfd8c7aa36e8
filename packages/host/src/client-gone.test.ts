import http from "node:http";
import type { AddressInfo } from "node:net";
import { initTRPC } from "@trpc/server";
import { afterEach, describe, expect, it } from "vitest";
import { createTrpcHandler } from "./http";

// The signal a procedure gets (opts.signal) on the direct path: it aborts when the client goes
// away before its answer, and no call ever inherits the listeners another call left on it.
const t = initTRPC.create();
const seen: AbortSignal[] = [];
let aborted: () => void = () => {};
const router = t.router({
  /** Remembers its signal and answers at once. */
  quick: t.procedure.query(({ signal }) => {
    if (signal) seen.push(signal);
    return "ok";
  }),
  /** Listens to its signal and leaves the listener there. */
  listens: t.procedure.query(({ signal }) => {
    if (signal) seen.push(signal);
    signal?.addEventListener("abort", () => {});
    return "ok";
  }),
  /** Answers only when its signal aborts (never, unless the client goes away). */
  waits: t.procedure.query(
    ({ signal }) =>
      new Promise<string>((resolve) => {
        signal?.addEventListener("abort", () => {
          aborted();
          resolve("too late");
        });
      }),
  ),
});

const servers: http.Server[] = [];
afterEach(async () => {
  seen.length = 0;
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(): Promise<number> {
  const handle = createTrpcHandler({ router, endpoint: "/trpc", createContext: () => ({}) });
  const server = http.createServer((req, res) => void handle(req, res, "request-1"));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** GETs the paths in turn on one keep-alive connection. */
async function inTurn(port: number, paths: string[]): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const statuses: number[] = [];
  try {
    for (const path of paths) {
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          http
            .get({ port, host: "127.0.0.1", path, agent }, (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            })
            .on("error", reject);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return statuses;
}

describe("the signal of a call on the direct path", () => {
  it("aborts when the client goes away before the answer", async () => {
    const port = await serve();
    const abortedOnServer = new Promise<void>((resolve) => {
      aborted = resolve;
    });
    const request = http.get({ port, host: "127.0.0.1", path: "/trpc/waits" });
    request.on("error", () => {});
    // Once the call is running, the client hangs up.
    await new Promise((resolve) => setTimeout(resolve, 100));
    request.destroy();
    await abortedOnServer;
  });

  it("is shared by calls on one connection while nobody listens, and fresh after a call that did", async () => {
    const port = await serve();
    expect(await inTurn(port, ["/trpc/quick", "/trpc/quick", "/trpc/listens", "/trpc/quick", "/trpc/quick"])).toEqual([
      200, 200, 200, 200, 200,
    ]);
    const [first, second, listened, afterListener, last] = seen;
    expect(second).toBe(first);
    expect(listened).toBe(first);
    // The listener the third call left stays on its signal; the next call gets another.
    expect(afterListener).not.toBe(listened);
    expect(last).toBe(afterListener);
    expect(seen.every((signal) => !signal.aborted)).toBe(true);
  });

  it("is another signal on another connection", async () => {
    const port = await serve();
    await inTurn(port, ["/trpc/quick"]);
    await inTurn(port, ["/trpc/quick"]);
    expect(seen).toHaveLength(2);
    expect(seen[1]).not.toBe(seen[0]);
  });
});

describe("a release of @trpc/server the direct path was not checked against", () => {
  it("is served through tRPC's fetch adapter, and said so once", async () => {
    const told: string[] = [];
    const handle = createTrpcHandler({
      router,
      endpoint: "/trpc",
      createContext: () => ({}),
      releaseCheck: { verified: false, installed: "99.0.0", verifiedReleases: ["11.22.1"] },
      onUnverifiedRelease: (check) => told.push(check.installed),
    });
    const server = http.createServer((req, res) => void handle(req, res, "request-1"));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const response = await fetch(`http://127.0.0.1:${port}/trpc/quick`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: { data: "ok" } });
    // The direct path sends a length; the fetch adapter's answers go chunked.
    expect(response.headers.get("content-length")).toBeNull();
    expect(told).toEqual(["99.0.0"]);
    const verified = await fetch(`http://127.0.0.1:${await serve()}/trpc/quick`);
    expect(await verified.json()).toEqual({ result: { data: "ok" } });
    expect(verified.headers.get("content-length")).not.toBeNull();
  });
});
