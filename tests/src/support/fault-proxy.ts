import net from "node:net";

export interface FaultPlan {
  /** Chance that a response is thrown away after the server sent it (the call did run). */
  dropResponse: number;
  /** Chance that a new connection is reset at once (the request never reaches the server). */
  resetConnection: number;
  /** Chance that a chunk, either way, is held back for up to `maxDelayMs`. */
  delay: number;
  maxDelayMs: number;
  /** Faults injected at most; past it, the proxy passes everything through. */
  maxFaults: number;
  seed: number;
}

interface FaultStats {
  connections: number;
  /** HTTP requests that got through to the server. */
  requests: number;
  droppedResponses: number;
  resets: number;
  delays: number;
}

export interface FaultProxy {
  url: string;
  stats: FaultStats;
  close(): Promise<void>;
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A TCP proxy on loopback in front of one server, injecting the faults a network makes:
 * connections reset before the request gets through, responses lost after the server has
 * done the work, and delays in both directions. Bounded by `maxFaults`, and closed by the
 * test that made it.
 */
export async function startFaultProxy(target: string, plan: FaultPlan): Promise<FaultProxy> {
  const upstream = new URL(target);
  const chance = random(plan.seed);
  const stats: FaultStats = { connections: 0, requests: 0, droppedResponses: 0, resets: 0, delays: 0 };
  const sockets = new Set<net.Socket>();
  let faults = 0;
  const fault = (probability: number) => faults < plan.maxFaults && chance() < probability && ++faults > 0;

  /** Forwards chunks in order, each possibly held back a while. */
  function relay(
    from: net.Socket,
    to: net.Socket,
    hooks: { pass?: () => boolean; forwarded?: (chunk: Buffer) => void } = {},
  ) {
    let queue = Promise.resolve();
    from.on("data", (chunk: Buffer) => {
      from.pause();
      queue = queue.then(async () => {
        if (hooks.pass && !hooks.pass()) return;
        if (fault(plan.delay)) {
          stats.delays++;
          await new Promise((resolve) => setTimeout(resolve, chance() * plan.maxDelayMs));
        }
        if (to.destroyed) return;
        hooks.forwarded?.(chunk);
        to.write(chunk);
        from.resume();
      });
    });
    from.on("end", () => {
      queue = queue.then(() => {
        to.end();
      });
    });
  }

  const server = net.createServer((client) => {
    stats.connections++;
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    if (fault(plan.resetConnection)) {
      stats.resets++;
      client.resetAndDestroy();
      return;
    }
    const backend = net.connect(Number(upstream.port), upstream.hostname);
    sockets.add(backend);
    backend.on("close", () => {
      sockets.delete(backend);
      client.destroy();
    });
    backend.on("error", () => client.destroy());
    client.on("close", () => backend.destroy());
    relay(client, backend, {
      forwarded: (chunk) => {
        if (/^(GET|POST) /.test(chunk.toString("latin1", 0, 5))) stats.requests++;
      },
    });
    relay(backend, client, {
      pass: () => {
        if (!fault(plan.dropResponse)) return true;
        stats.droppedResponses++;
        client.resetAndDestroy();
        backend.destroy();
        return false;
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
