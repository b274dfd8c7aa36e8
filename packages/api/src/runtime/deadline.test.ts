import { randomUUID } from "node:crypto";
import { eventId, queryRows } from "@ticketing/db";
import { createRateLimiter } from "@ticketing/rpc/server";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApi, TEST_SERVICE_TOKEN, type TestApi } from "../testing";
import { createContextFactory, type RateLimits } from "../trpc/context";
import { createCaller } from "../trpc/root";
import { guardDatabase } from "./deadline-db";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

function callerWith(request: { deadline?: number; token?: string; limits?: RateLimits; clientAddress?: string }) {
  const contextFor = createContextFactory({ db: api.db, serviceToken: TEST_SERVICE_TOKEN, limits: request.limits });
  return createCaller(
    contextFor({
      requestId: randomUUID(),
      credentials: request.token ? { token: request.token, source: "bearer" } : null,
      deadline: request.deadline,
      clientAddress: request.clientAddress,
    }),
  );
}

describe("deadlines", () => {
  it("refuse a call whose deadline has passed, before it does anything", async () => {
    const { user, token } = await api.newUser();
    const caller = callerWith({ deadline: Date.now() - 1, token });
    await expect(caller.createBooking({ eventId: eventId("city-lights"), quantity: 1 })).rejects.toMatchObject({
      code: "TIMEOUT",
      message: "The deadline had already passed when the call arrived; nothing was done.",
    });
    const [row] = await queryRows<{ n: number }>(
      api.db,
      sql`SELECT count(*)::int AS n FROM bookings WHERE user_id = ${user.id}`,
    );
    expect(row?.n).toBe(0);
  });

  it("let a call with time left run as usual", async () => {
    const caller = callerWith({ deadline: Date.now() + 30_000 });
    await expect(caller.getEvent({ eventId: eventId("harbor-jazz") })).resolves.toMatchObject({
      name: "Harbor Jazz Sessions",
    });
  });

  it("stop database work between statements once the signal fires, rolling back what was begun", async () => {
    const controller = new AbortController();
    const db = guardDatabase(api.db, controller.signal);
    const marker = `guard-${randomUUID()}`;
    const attempt = db.transaction(async (tx) => {
      await tx.execute(
        sql`INSERT INTO users (email, name, role, password_hash) VALUES (${`${marker}@example.test`}, 'x', 'customer', '!')`,
      );
      controller.abort();
      await tx.execute(sql`SELECT 1`);
    });
    await expect(attempt).rejects.toMatchObject({
      code: "TIMEOUT",
      message: "The deadline passed before the call could finish.",
    });
    expect(await queryRows(api.db, sql`SELECT 1 FROM users WHERE email = ${`${marker}@example.test`}`)).toEqual([]);
    expect(() => db.select()).toThrow("The deadline passed before the call could finish.");
  });
});

describe("rate limits", () => {
  it("limit sign-in attempts per address and email, with the wait in the message", async () => {
    const limits = { signIn: createRateLimiter({ burst: 2, perSecond: 1 / 60 }) };
    const from = (clientAddress: string) => callerWith({ limits, clientAddress });
    const attempt = (address: string, email = "alice@example.com") =>
      from(address).signIn({ email, password: "wrong password" });
    await expect(attempt("203.0.113.7")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(attempt("203.0.113.7")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(attempt("203.0.113.7", "ALICE@example.com")).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/^Too many sign-in attempts; try again in \d+ s\.$/),
    });
    // Another address, or another account, has its own budget.
    await expect(attempt("203.0.113.8")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(attempt("203.0.113.7", "bob@example.com")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("limit calls per person, but not the worker's service account", async () => {
    // A refill of one call a minute: the test cannot outlast it, however slow the machine.
    const limits = { perUser: createRateLimiter({ burst: 2, perSecond: 1 / 60 }) };
    const { token } = await api.newUser();
    const person = callerWith({ limits, token });
    await person.listMyBookings();
    await person.listMyBookings();
    await expect(person.listMyBookings()).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/^Too many calls from your account; try again in \d+ s\.$/),
    });
    const service = callerWith({ limits, token: TEST_SERVICE_TOKEN });
    for (let i = 0; i < 4; i++) await expect(service.releaseExpiredHolds({})).resolves.toBeDefined();
  });
});
