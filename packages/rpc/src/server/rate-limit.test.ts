import { randomUUID } from "node:crypto";
import { once } from "node:events";
import net from "node:net";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../testing";
import { createLimitStore, createRateLimiter, type RateLimiter, windowOf } from "./rate-limit";

/** Redis runs here and in CI; every run writes under its own prefix, and every key expires with its window. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const clients: Redis[] = [];
/** A client as the server makes one, closed after the test. */
function redisAt(url: string, events: Parameters<typeof createLimitStore>[1] = {}): Redis {
  const client = createLimitStore(url, events);
  clients.push(client);
  return client;
}
/** Waits for the connection (the client retries a failed attempt by itself); fails after `ms`. */
async function connected(client: Redis, ms = 30_000): Promise<void> {
  if (client.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Redis is not answering at ${REDIS_URL} (set TEST_REDIS_URL)`)),
      ms,
    );
    client.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

/**
 * A TCP relay on loopback in front of Redis, so a test can take Redis away from a running
 * limiter (as a network partition or a Redis restart would) without touching the shared Redis.
 */
async function startRelay(target: URL, port = 0) {
  const sockets = new Set<net.Socket>();
  let hung = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
    }
    // Commands sent while hung are swallowed: Redis never sees them, the connection stays open.
    client.on("data", (chunk) => hung || upstream.write(chunk));
    upstream.pipe(client);
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const bound = (server.address() as net.AddressInfo).port;
  return {
    port: bound,
    url: `redis://127.0.0.1:${bound}`,
    /** Keeps every connection open but answers nothing, as a Redis stuck in a long command would. */
    hang: () => {
      hung = true;
    },
    /** Refuses new connections and cuts the open ones. */
    stop: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

async function takeMany(limiter: RateLimiter, key: string, count: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < count; i++) waits.push(await limiter.take(key));
  return waits;
}

describe("windowOf: a token bucket's allowance as a fixed window", () => {
  it("keeps the burst and the long-run rate of RATE_LIMIT_* values", () => {
    // RATE_LIMIT_ADDRESS_PER_SECOND=100 (burst 200): 200 calls per 2 s.
    expect(windowOf({ burst: 200, perSecond: 100 })).toEqual({ points: 200, durationSeconds: 2 });
    // SIGN_IN_ATTEMPTS_PER_MINUTE=10 (burst 10): 10 attempts per 60 s.
    expect(windowOf({ burst: 10, perSecond: 10 / 60 })).toEqual({ points: 10, durationSeconds: 60 });
    // A rate below one call a second still allows one call, then waits for the window.
    expect(windowOf({ burst: 1, perSecond: 0.05 })).toEqual({ points: 1, durationSeconds: 20 });
    expect(() => windowOf({ burst: 1, perSecond: 0 })).toThrow(RangeError);
  });
});

describe.each([
  { mode: "memory (per process)", redis: false },
  { mode: "Redis (shared)", redis: true },
])("createRateLimiter, $mode", ({ redis }) => {
  const keyPrefix = `test:${randomUUID()}`;
  let store: Redis | undefined;
  beforeAll(async () => {
    if (!redis) return;
    store = createLimitStore(REDIS_URL);
    await connected(store);
  });
  afterAll(() => store?.disconnect());
  const make = (options: { burst: number; perSecond: number }) =>
    createRateLimiter({ ...options, name: randomUUID(), keyPrefix, redis: store });

  it("allows the burst, then refuses with the wait until the window ends", async () => {
    const limiter = make({ burst: 3, perSecond: 0.1 });
    const waits = await takeMany(limiter, "client-a", 4);
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
    expect(waits[3]).toBeLessThanOrEqual(30_000);
    // Another key has its own allowance.
    expect(await limiter.take("client-b")).toBe(0);
  });

  it("charges a batch by its size, and a batch larger than the window spends the whole window", async () => {
    const limiter = make({ burst: 5, perSecond: 0.1 });
    expect(await limiter.take("batch", 4)).toBe(0);
    expect(await limiter.take("batch", 2)).toBeGreaterThan(0);
    expect(await limiter.take("huge", 50)).toBe(0);
    expect(await limiter.take("huge", 1)).toBeGreaterThan(0);
  });
});

describe("createRateLimiter through Redis, across instances and outages", () => {
  beforeAll(async () => {
    const probe = createLimitStore(REDIS_URL);
    try {
      await connected(probe);
    } finally {
      probe.disconnect();
    }
  });

  it("spends one allowance from two instances that share Redis", async () => {
    const keyPrefix = `test:${randomUUID()}`;
    const [first, second] = [redisAt(REDIS_URL), redisAt(REDIS_URL)];
    await Promise.all([connected(first), connected(second)]);
    const options = { name: "address", burst: 4, perSecond: 0.1, keyPrefix };
    const instanceA = createRateLimiter({ ...options, redis: first });
    const instanceB = createRateLimiter({ ...options, redis: second });
    const waits = [
      await instanceA.take("198.51.100.7"),
      await instanceB.take("198.51.100.7"),
      await instanceA.take("198.51.100.7"),
      await instanceB.take("198.51.100.7"),
      await instanceB.take("198.51.100.7"),
      await instanceA.take("198.51.100.7"),
    ];
    expect(waits.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(waits[4]).toBeGreaterThan(0);
    expect(waits[5]).toBeGreaterThan(0);
    // The same limiter without Redis (per process) would have allowed 4 on each.
  });

  it("counts per process when Redis was never reachable, and never fails a call", async () => {
    const downs: Error[] = [];
    const client = redisAt(`redis://127.0.0.1:${await closedPort()}`, { down: (error) => downs.push(error) });
    const limiter = createRateLimiter({ name: "address", burst: 2, perSecond: 0.1, redis: client });
    const waits = await takeMany(limiter, "203.0.113.9", 3);
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    expect(waits[2]).toBeGreaterThan(0);
    if (downs.length === 0) await new Promise((resolve) => client.once("error", resolve));
    expect(downs.length).toBeGreaterThan(0);
  });

  it("falls back to per-process counts when Redis goes away at run time, and shares again when it is back", async () => {
    const relay = await startRelay(new URL(REDIS_URL));
    const events: string[] = [];
    const client = redisAt(relay.url, {
      down: () => events.push("down"),
      up: () => events.push("up"),
    });
    await connected(client);
    const keyPrefix = `test:${randomUUID()}`;
    const options = { name: "address", burst: 3, perSecond: 0.1, keyPrefix };
    const viaRelay = createRateLimiter({ ...options, redis: client });
    // Another instance that still reaches Redis sees what this one spent before the outage.
    const direct = redisAt(REDIS_URL);
    await connected(direct);
    const other = createRateLimiter({ ...options, redis: direct });

    expect(await viaRelay.take("192.0.2.1")).toBe(0);
    expect(await viaRelay.take("192.0.2.1")).toBe(0);
    await relay.stop();
    // Redis is gone for this instance: calls still get answers, counted in this process
    // (a fresh window of 3), never an error.
    expect(await takeMany(viaRelay, "192.0.2.1", 3)).toEqual([0, 0, 0]);
    expect(await viaRelay.take("192.0.2.1")).toBeGreaterThan(0);
    expect(events).toContain("down");
    // The shared count holds only what reached Redis: 2 of 3, so one call is left there.
    expect(await other.take("192.0.2.1")).toBe(0);
    expect(await other.take("192.0.2.1")).toBeGreaterThan(0);

    // Redis is back (the client reconnects by itself): this instance spends the shared count again.
    const back = new Promise((resolve) => client.once("ready", resolve));
    const restored = await startRelay(new URL(REDIS_URL), relay.port);
    try {
      await back;
      expect(events.at(-1)).toBe("up");
      expect(await viaRelay.take("192.0.2.9")).toBe(0);
      expect(await other.take("192.0.2.9")).toBe(0);
      expect(await other.take("192.0.2.9")).toBe(0);
      expect(await viaRelay.take("192.0.2.9")).toBeGreaterThan(0);
    } finally {
      client.disconnect();
      await restored.stop();
    }
  });

  it("counts per process when Redis stops answering on an open connection, after the command timeout", async () => {
    const relay = await startRelay(new URL(REDIS_URL));
    try {
      const client = redisAt(relay.url);
      await connected(client);
      const limiter = createRateLimiter({
        name: "address",
        burst: 2,
        perSecond: 0.1,
        keyPrefix: `test:${randomUUID()}`,
        redis: client,
      });
      expect(await limiter.take("192.0.2.50")).toBe(0);
      relay.hang();
      // Each check gives up on Redis after LIMIT_STORE_TIMEOUT_MS and counts here instead.
      // The per-process window is fresh (2 calls): what reached Redis before is not carried over.
      expect(await takeMany(limiter, "192.0.2.50", 2)).toEqual([0, 0]);
      expect(await limiter.take("192.0.2.50")).toBeGreaterThan(0);
    } finally {
      await relay.stop();
    }
  });
});
