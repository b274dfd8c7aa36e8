import { randomUUID } from "node:crypto";
import type { AppRouter } from "@ticketing/api";
import { createSmallEvent, createTestApi, createUsers } from "@ticketing/api/testing";
import { startTestServer, type TestServer } from "@ticketing/server/testing";
import { createTRPCClient, httpSubscriptionLink, TRPCClientError } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor } from "./support/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** onSalesChange over server-sent events, signed in with a Bearer token. */
function watchSales(token: string) {
  const authorization = `Bearer ${token}`;
  const client = createTRPCClient<AppRouter>({
    links: [
      httpSubscriptionLink({
        url: `${server.url}/trpc`,
        transformer: superjson,
        EventSource,
        eventSourceOptions: () => ({
          fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization } }),
        }),
      }),
    ],
  });
  const received: string[] = [];
  let started = false;
  let failure: unknown;
  const subscription = client.onSalesChange.subscribe(undefined, {
    onStarted: () => {
      started = true;
    },
    onData: ({ eventId }) => received.push(eventId),
    onError: (error) => {
      failure = error;
    },
  });
  return { received, started: () => started, failure: () => failure, stop: () => subscription.unsubscribe() };
}

describe("onSalesChange", () => {
  it("tells an organizer which of their events had seats change, and none of anyone else's", async () => {
    const api = await createTestApi(server.database);
    const organizer = await api.newUser("organizer");
    const other = await api.newUser("organizer");
    const mine = await createSmallEvent(server.database.db, { seats: 5, organizerId: organizer.user.id });
    const theirs = await createSmallEvent(server.database.db, { seats: 5, organizerId: other.user.id });
    const email = `sales-buyer-${randomUUID()}@example.test`;
    await createUsers(server.database.db, [email]);
    const buyer = clientFor(server.url, await api.tokenFor(email));

    const watcher = watchSales(organizer.token);
    await expect.poll(watcher.started, { timeout: 15_000 }).toBe(true);
    await buyer.createBooking.mutate({ eventId: theirs.eventId, quantity: 1 });
    await buyer.createBooking.mutate({ eventId: mine.eventId, quantity: 1 });
    await expect.poll(() => watcher.received.length, { timeout: 15_000 }).toBeGreaterThan(0);
    // Changes are sequenced in commit order, so the other event's came first and was left out.
    expect(watcher.received[0]).toBe(mine.eventId);
    expect(watcher.received).not.toContain(theirs.eventId);
    watcher.stop();
  });

  it("is for organizers and admins only", async () => {
    const api = await createTestApi(server.database);
    const customer = await api.newUser("customer");
    const watcher = watchSales(customer.token);
    await expect.poll(watcher.failure, { timeout: 15_000 }).toBeInstanceOf(TRPCClientError);
    expect((watcher.failure() as TRPCClientError<AppRouter>).data?.code).toBe("FORBIDDEN");
    watcher.stop();
  });
});
