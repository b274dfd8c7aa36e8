import { failureOf as classify, type RpcCallContext, type RpcLinksOptions, rpcLinks } from "@ticketing/rpc/client";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestRouter, type TestServer } from "./testing";

const servers: TestServer[] = [];
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(...args: Parameters<typeof startTestServer>) {
  const server = await startTestServer(...args);
  servers.push(server);
  return server;
}

/** A client on rpcLinks with short test delays, and its failover (stopped after each test). */
function balancedClientOf(urls: string | string[], options: Partial<RpcLinksOptions> = {}) {
  const { links, failover } = rpcLinks<TestRouter>({
    servers: urls,
    transformer: superjson,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    probeIntervalMs: 20,
    ...options,
  });
  clients.push(failover);
  return { client: createTRPCClient<TestRouter>({ links }), failover };
}

const clientOf = (urls: string | string[], options: Partial<RpcLinksOptions> = {}) =>
  balancedClientOf(urls, options).client;

async function failureOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<TestRouter>;
    throw error;
  }
  throw new Error("expected the call to fail");
}

const context = (value: RpcCallContext) => ({ context: value });

describe("batches", () => {
  it("streams a batch of queries: a slow call does not hold back the answers of the others", async () => {
    const server = await serve();
    const client = clientOf(server.url);
    const slow = client.gated.query({ gate: "slow" });
    const fast = client.ping.query({ tag: "fast" });
    // The slow call's gate opens only after the fast answer arrived: a buffered batch would
    // never get here.
    await expect(fast).resolves.toMatchObject({ pong: "fast" });
    expect(server.seen.map((request) => request.path)).toEqual(["/trpc/gated,ping"]);
    server.app.open("slow");
    await expect(slow).resolves.toEqual({ opened: "slow" });
  });
});

describe("deadlines", () => {
  it("sends the time remaining as rpc-timeout-ms, from the default, a per-call timeout or an inherited deadline", async () => {
    const server = await serve();
    const client = clientOf(server.url, { timeoutMs: 5_000 });
    const { remainingMs } = await client.remaining.query();
    expect(remainingMs).toBeGreaterThan(3_000);
    expect(remainingMs).toBeLessThanOrEqual(5_000);
    const short = await client.remaining.query(undefined, context({ timeoutMs: 800 }));
    expect(short.remainingMs).toBeLessThanOrEqual(800);
    const inherited = clientOf(server.url, { timeoutMs: 5_000, inheritDeadline: () => Date.now() + 600 });
    expect((await inherited.remaining.query()).remainingMs).toBeLessThanOrEqual(600);
    expect(Number(server.seen.at(-1)?.timeout)).toBeLessThanOrEqual(600);
  });

  it("aborts a call locally at its deadline, even inside a batch whose other calls go on", async () => {
    const server = await serve();
    const client = clientOf(server.url);
    const slow = failureOf(client.stubborn.query({ ms: 1_000 }, context({ timeoutMs: 150 })));
    const fast = client.ping.query({ tag: "fast" }, context({ timeoutMs: 5_000 }));
    const error = await slow;
    expect(error.data?.code).toBe("TIMEOUT");
    expect(error.message).toBe("stubborn did not finish within its deadline (150 ms).");
    await expect(fast).resolves.toMatchObject({ pong: "fast" });
    // Both calls went out in one request, which carried the later of their deadlines.
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.path).toBe("/trpc/stubborn,ping");
    expect(Number(server.seen[0]?.timeout)).toBeGreaterThan(1_000);
    // The batch is streamed, so the fast answer came before the stubborn call ended.
    // It ends about 1 s after the request; a loaded machine may take longer to log it.
    await vi.waitFor(
      () => expect(server.app.logs.find((line) => line.procedure === "stubborn")).toMatchObject({ code: "OK" }),
      { timeout: 10_000 },
    );
  });

  it("refuses a spent deadline, a malformed one, and clamps one past 60 s", async () => {
    const server = await serve();
    const get = (timeout: string) =>
      fetch(`${server.url}/trpc/remaining`, { headers: { "rpc-timeout-ms": timeout } }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as {
          error?: { json: { message: string; data: { code: string } } };
          result?: { data: { json: { remainingMs: number } } };
        },
      }));
    const spent = await get("0");
    expect(spent.status).toBe(408);
    expect(spent.body.error?.json).toMatchObject({
      message: "The deadline had already passed when the call arrived; nothing was done.",
      data: { code: "TIMEOUT" },
    });
    for (const bad of ["-5", "1.5", "soon", ""]) {
      const refused = await get(bad);
      expect(refused.status).toBe(400);
      expect(refused.body.error?.json).toMatchObject({
        message: "rpc-timeout-ms must be a whole number of milliseconds (0 or more).",
        data: { code: "BAD_REQUEST" },
      });
    }
    const far = await get("3600000");
    expect(far.body.result?.data.json.remainingMs).toBeLessThanOrEqual(60_000);
    expect(far.body.result?.data.json.remainingMs).toBeGreaterThan(50_000);
    expect(server.app.counts.ping).toBe(0);
  });

  it("answers TIMEOUT at the deadline on the server, and gives cooperative work a signal that fires", async () => {
    const server = await serve();
    const stubborn = await fetch(`${server.url}/trpc/stubborn?input=${encodeURIComponent('{"json":{"ms":3000}}')}`, {
      headers: { "rpc-timeout-ms": "100" },
    });
    expect(stubborn.status).toBe(408);
    expect(await stubborn.json()).toMatchObject({
      error: { json: { message: "The deadline passed before the call could finish.", data: { code: "TIMEOUT" } } },
    });
    const cooperative = await fetch(`${server.url}/trpc/sleep?input=${encodeURIComponent('{"json":{"ms":3000}}')}`, {
      headers: { "rpc-timeout-ms": "100" },
    });
    expect(cooperative.status).toBe(408);
  });
});

describe("retries", () => {
  it("retries a query through 503s and stops at the attempt cap", async () => {
    const server = await serve();
    const retries: string[] = [];
    const client = clientOf(server.url, {
      retry: { maxAttempts: 4, baseDelayMs: 5, onRetry: (info) => retries.push(`${info.attempt}:${info.reason}`) },
    });
    server.faults.status = { code: 503, count: 2 };
    await expect(client.ping.query({ tag: "x" })).resolves.toMatchObject({ pong: "x" });
    expect(retries).toEqual(["2:503", "3:503"]);
    server.faults.status = { code: 502, count: 10 };
    const error = await failureOf(client.ping.query({ tag: "y" }));
    expect(classify(error)).toMatchObject({ kind: "status", status: 502 });
    expect(server.faults.status.count).toBe(6);
  });

  it("does not retry answers a retry cannot fix", async () => {
    const server = await serve();
    const client = clientOf(server.url);
    await failureOf(client.fail.query());
    server.faults.status = { code: 400, count: 1 };
    await failureOf(client.ping.query());
    expect(server.seen.filter((request) => request.path === "/trpc/fail")).toHaveLength(1);
    expect(server.seen.filter((request) => request.path === "/trpc/ping")).toHaveLength(1);
  });

  it("waits as long as Retry-After asks", async () => {
    const server = await serve();
    const delays: number[] = [];
    const client = clientOf(server.url, { retry: { onRetry: (info) => delays.push(info.delayMs) } });
    server.faults.status = { code: 429, count: 1, retryAfter: "1" };
    await expect(client.ping.query()).resolves.toMatchObject({ pong: "pong" });
    expect(delays).toEqual([1000]);
  });

  it("never retries past the deadline", async () => {
    const server = await serve();
    const client = clientOf(server.url, { retry: { maxAttempts: 10 } });
    server.faults.status = { code: 503, count: 1, retryAfter: "5" };
    const error = await failureOf(client.ping.query(undefined, context({ timeoutMs: 2_000 })));
    expect(classify(error)).toMatchObject({ kind: "status", status: 503, retryAfterMs: 5000 });
    expect(server.seen).toHaveLength(1);
  });

  it("repeats a mutation whose response was lost with the same key, and the server runs it once", async () => {
    const server = await serve();
    const client = clientOf(server.url);
    server.faults.dropMutationResponses = 2;
    const result = await client.charge.mutate({ amount: 7 });
    expect(result).toEqual({ charged: 7, run: 1 });
    expect(server.app.counts.charge).toBe(1);
    const keys = server.seen.filter((request) => request.path === "/trpc/charge").map((request) => request.key);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives every mutation its own key, and keeps one the caller chose", async () => {
    const server = await serve();
    const client = clientOf(server.url);
    await client.charge.mutate({ amount: 1 });
    await client.charge.mutate({ amount: 1 });
    await client.charge.mutate({ amount: 1 }, context({ idempotencyKey: "caller-chosen-key" }));
    const again = await client.charge.mutate({ amount: 1 }, context({ idempotencyKey: "caller-chosen-key" }));
    expect(again.run).toBe(3);
    expect(server.app.counts.keys).toEqual([expect.any(String), expect.any(String), "caller-chosen-key"]);
    expect(new Set(server.app.counts.keys).size).toBe(3);
  });

  it("never repeats a mutation without a key", async () => {
    const server = await serve();
    const client = clientOf(server.url, { atMostOnce: (op) => op.path === "note" });
    server.faults.dropMutationResponses = 1;
    const error = await failureOf(client.note.mutate({ text: "once" }));
    expect(classify(error)).toEqual({ kind: "lost" });
    expect(server.app.counts.charge).toBe(1);
    server.faults.dropMutationResponses = 1;
    await failureOf(client.charge.mutate({ amount: 2 }, context({ idempotencyKey: false })));
    expect(server.app.counts.charge).toBe(2);
    expect(server.seen.filter((request) => request.key !== undefined)).toHaveLength(0);
  });
});

describe("failover", () => {
  it("balances round-robin, ejects a server that is gone, and takes it back when /ready answers", async () => {
    const one = await serve();
    const two = await serve();
    const changes: string[] = [];
    const { client, failover } = balancedClientOf([one.url, two.url], {
      onServerChange: (server, healthy) => changes.push(`${server === one.url ? "one" : "two"}:${healthy}`),
    });
    for (let i = 0; i < 6; i++) await client.ping.query({ tag: String(i) });
    expect(one.app.counts.ping).toBe(3);
    expect(two.app.counts.ping).toBe(3);

    await one.close();
    servers.splice(servers.indexOf(one), 1);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => client.ping.query({ tag: `after-${i}` })));
    expect(results.map((r) => r.pong)).toEqual(Array.from({ length: 10 }, (_, i) => `after-${i}`));
    expect(failover.servers()).toEqual([
      { url: one.url, healthy: false },
      { url: two.url, healthy: true },
    ]);
    // A mutation never reached the closed server (connection refused), so it may fail over.
    await expect(client.note.mutate({ text: "moved" }, context({ idempotencyKey: false }))).resolves.toEqual({
      noted: "moved",
    });

    const back = await serve({ port: one.port });
    await expect.poll(() => failover.servers()[0]?.healthy, { timeout: 5_000 }).toBe(true);
    for (let i = 0; i < 4; i++) await client.ping.query();
    expect(back.app.counts.ping).toBe(2);
    expect(changes).toEqual(["one:false", "one:true"]);
  });

  it("still tries servers when all are ejected, and says what failed", async () => {
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const gone = await serve();
      urls.push(gone.url);
      await gone.close();
      servers.splice(servers.indexOf(gone), 1);
    }
    const { client, failover } = balancedClientOf(urls, { retry: { maxAttempts: 2, baseDelayMs: 1 } });
    const error = await failureOf(client.ping.query());
    expect(error.message).toBe("fetch failed");
    expect(classify(error)).toEqual({ kind: "refused" });
    expect(failover.servers().map((server) => server.healthy)).toEqual([false, false]);
    const back = await serve({ port: Number(new URL(urls[1] as string).port) });
    await expect(client.ping.query({ tag: "back" })).resolves.toMatchObject({ pong: "back" });
    expect(back.app.counts.ping).toBe(1);
  });

  it("never ejects the only server: there is nowhere else to go", async () => {
    const { url } = await serve();
    await servers[0]?.close();
    servers.length = 0;
    const { client, failover } = balancedClientOf([url], { retry: { maxAttempts: 1 } });
    await failureOf(client.ping.query());
    expect(failover.servers()).toEqual([{ url, healthy: true }]);
  });
});

describe("a stock tRPC client", () => {
  it("still works against the same server: everything here is opt-in for callers", async () => {
    const server = await serve();
    const plain = createTRPCClient<TestRouter>({
      links: [httpBatchLink({ url: `${server.url}/trpc`, transformer: superjson })],
    });
    await expect(plain.ping.query({ tag: "plain" })).resolves.toMatchObject({ pong: "plain" });
    expect(server.seen[0]?.timeout).toBeUndefined();
  });
});
