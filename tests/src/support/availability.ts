import net from "node:net";
import type { AppRouter, AvailabilityUpdate } from "@ticketing/api";
import { createTRPCClient, httpSubscriptionLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";

interface Received {
  id: string;
  update: AvailabilityUpdate;
  at: number;
}

export interface Watcher {
  received: Received[];
  /** How many times the stream (re)started: 1 + reconnections. */
  starts(): number;
  /** Resolves once the stream has started `count` times (the first start, then reconnections). */
  started(count?: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `count` changes have arrived in all. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  stop(): void;
}

/**
 * Subscribes to an event's availability the way any TypeScript client would: tRPC's
 * httpSubscriptionLink over server-sent events (Node 20 has no EventSource of its own).
 */
export function watchAvailability(url: string, eventId: string, lastEventId?: string): Watcher {
  const client = createTRPCClient<AppRouter>({
    links: [httpSubscriptionLink({ url: `${url}/trpc`, transformer: superjson, EventSource })],
  });
  const received: Received[] = [];
  let starts = 0;
  let failure: unknown;
  const waiters = new Set<() => void>();
  const subscription = client.onAvailabilityChange.subscribe(
    { eventId, ...(lastEventId && { lastEventId }) },
    {
      onStarted: () => {
        starts++;
        for (const wake of waiters) wake();
      },
      onData: (envelope) => {
        received.push({ id: envelope.id, update: envelope.data, at: Date.now() });
        for (const wake of waiters) wake();
      },
      onError: (error) => {
        failure = error;
        for (const wake of waiters) wake();
      },
    },
  );
  const until = (done: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (failure) finish(() => reject(failure));
        else if (done()) finish(resolve);
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`Timed out waiting for ${what}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  return {
    received,
    starts: () => starts,
    async waitFor(count, timeoutMs = 15_000) {
      await until(() => received.length >= count, `${count} changes (have ${received.length})`, timeoutMs);
      return received.slice(0, count);
    },
    started: (count = 1, timeoutMs = 15_000) => until(() => starts >= count, `${count} stream starts`, timeoutMs),
    stop: () => subscription.unsubscribe(),
  };
}

export interface Cable {
  url: string;
  /** Breaks every open connection and refuses new ones until `reconnect`. */
  cut(): void;
  reconnect(): void;
  close(): Promise<void>;
}

/** A TCP pass-through in front of a server whose cable the test can pull and plug back. */
export async function startCable(target: string): Promise<Cable> {
  const upstream = new URL(target);
  const sockets = new Set<net.Socket>();
  let connected = true;
  const server = net.createServer((client) => {
    if (!connected) {
      client.destroy();
      return;
    }
    const server = net.connect(Number(upstream.port), upstream.hostname);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    client.pipe(server).pipe(client);
    client.on("close", () => server.destroy());
    server.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      connected = false;
      for (const socket of sockets) socket.destroy();
    },
    reconnect() {
      connected = true;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
