import type { OperationLink, TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import { safeToRepeat } from "./call-context";
import { failureOf } from "./failures";

export interface FailoverOptions<TRouter extends AnyTRPCRouter> {
  /** Base URLs of interchangeable servers: `http://10.0.0.1:4000`. */
  servers: readonly string[];
  /** The link chain that calls one server (it ends in an HTTP link). */
  link: (server: string) => TRPCLink<TRouter>;
  /** Where an ejected server is asked whether it is back (200 = yes). */
  readyPath?: string;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  fetch?: typeof fetch;
  /** Told when a server is ejected or comes back. */
  onChange?: (server: string, healthy: boolean) => void;
}

export interface ServerState {
  url: string;
  healthy: boolean;
}

export interface Failover<TRouter extends AnyTRPCRouter> {
  link: TRPCLink<TRouter>;
  /** Each server and whether calls go to it now. */
  servers(): ServerState[];
  /** Stops probing (probes never keep a process alive, but tests end cleanly with this). */
  close(): void;
}

interface Server<TRouter extends AnyTRPCRouter> {
  url: string;
  healthy: boolean;
  ejectedAt: number;
  probe: ReturnType<typeof setTimeout> | undefined;
  call: OperationLink<TRouter> | undefined;
}

/**
 * Client-side balancing and failover over several servers. Calls go round-robin to the
 * healthy ones. A server whose connection fails is ejected and probed at its /ready until
 * it answers 200. The failed call moves to the next server at once when that is safe: always
 * if the connection was refused (the request never arrived), and for a broken connection
 * only if the call is safe to repeat (a query, or a mutation with an idempotency key). When
 * every server is ejected, calls still go to them in turn rather than failing unasked.
 */
export function createFailover<TRouter extends AnyTRPCRouter>(options: FailoverOptions<TRouter>): Failover<TRouter> {
  if (options.servers.length === 0) throw new Error("Failover needs at least one server URL.");
  const readyPath = options.readyPath ?? "/ready";
  const probeIntervalMs = options.probeIntervalMs ?? 1_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
  const doFetch = options.fetch ?? fetch;
  const servers: Server<TRouter>[] = options.servers.map((url) => ({
    url: url.replace(/\/+$/, ""),
    healthy: true,
    ejectedAt: 0,
    probe: undefined,
    call: undefined,
  }));
  let turn = 0;
  let closed = false;

  function pick(tried: ReadonlySet<Server<TRouter>>): Server<TRouter> | undefined {
    const start = turn++;
    let fallback: Server<TRouter> | undefined;
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(start + i) % servers.length] as Server<TRouter>;
      if (tried.has(server)) continue;
      if (server.healthy) return server;
      // None healthy: the one ejected longest ago is the likeliest to be back.
      if (!fallback || server.ejectedAt < fallback.ejectedAt) fallback = server;
    }
    return fallback;
  }

  function schedule(server: Server<TRouter>) {
    if (closed) return;
    server.probe = setTimeout(async () => {
      let ready = false;
      try {
        const response = await doFetch(`${server.url}${readyPath}`, { signal: AbortSignal.timeout(probeTimeoutMs) });
        ready = response.ok;
        await response.body?.cancel();
      } catch {
        ready = false;
      }
      if (closed) return;
      if (ready) {
        server.healthy = true;
        server.probe = undefined;
        options.onChange?.(server.url, true);
      } else {
        schedule(server);
      }
    }, probeIntervalMs);
    server.probe.unref?.();
  }

  function eject(server: Server<TRouter>) {
    // With one server there is nowhere else to go: probing it would only add traffic.
    if (!server.healthy || servers.length === 1) return;
    server.healthy = false;
    server.ejectedAt = Date.now();
    options.onChange?.(server.url, false);
    if (!server.probe) schedule(server);
  }

  const link: TRPCLink<TRouter> = (runtime) => {
    for (const server of servers) server.call = options.link(server.url)(runtime);
    return ({ op }) =>
      observable((observer) => {
        const tried = new Set<Server<TRouter>>();
        let current: Unsubscribable | undefined;
        const attempt = () => {
          const server = pick(tried) as Server<TRouter>;
          tried.add(server);
          const call = server.call as OperationLink<TRouter>;
          current = call({
            op,
            next: () => {
              throw new Error("The failover link's server chains must end in a terminating link.");
            },
          }).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => {
              const failure = failureOf(error);
              if (failure.kind !== "refused" && failure.kind !== "lost") {
                observer.error(error);
                return;
              }
              eject(server);
              const safe = failure.kind === "refused" || safeToRepeat(op);
              if (safe && tried.size < servers.length && !op.signal?.aborted) attempt();
              else observer.error(error);
            },
          });
        };
        attempt();
        return () => current?.unsubscribe();
      });
  };

  return {
    link,
    servers: () => servers.map(({ url, healthy }) => ({ url, healthy })),
    close() {
      closed = true;
      for (const server of servers) clearTimeout(server.probe);
    },
  };
}
