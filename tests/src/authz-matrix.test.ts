import { randomUUID } from "node:crypto";
import type { AppRouter } from "@ticketing/api";
import { type AvailabilityFeed, appRouter, type ProcedureMeta, startAvailabilityFeed } from "@ticketing/api";
import { type Caller, createTestApi, type TestApi } from "@ticketing/api/testing";
import { listProcedures } from "@ticketing/host";
import { startTestServer, TEST_WORKER_TOKEN, type TestServer } from "@ticketing/server/testing";
import { type inferRouterInputs, type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, codeOf } from "./support/client";

/**
 * Who may call what: every procedure × every role, from the one table below. "allow" means
 * the call succeeded, or failed with one of the domain codes its row lists (a lease that
 * does not exist, a booking someone else already cancelled): never with any other code, an
 * internal error least of all. "deny" means exactly UNAUTHORIZED for a caller without a
 * session and FORBIDDEN for everyone else.
 */
const ROLES = ["anonymous", "customer", "otherCustomer", "organizer", "otherOrganizer", "admin", "service"] as const;
type Role = (typeof ROLES)[number];

/** Fresh per cell: an event the organizer runs, and a held booking of the customer's there. */
interface Fixture {
  eventId: string;
  externalId: string;
  bookingId: string;
  customerId: string;
  /** A finished import the organizer uploaded. */
  importId: string;
  credentials: { email: string; password: string };
}

interface Row {
  allow: readonly Role[] | "everyone";
  /** Refusals of the domain an allowed caller may still get from this cell's call, with why. */
  domainCodes?: readonly TRPC_ERROR_CODE_KEY[];
  call(caller: Caller, fixture: Fixture): Promise<unknown>;
}

/** An upload's body as createCaller takes it: the stream the server reads over HTTP. */
function upload(text: string): Blob {
  const body = new Blob([text]).stream();
  return body as unknown as Blob;
}
const EMPTY_FEED = "externalId,name,venue,startsAt\n";

/** A subscription's authorization runs when it is first read: read one update. */
async function firstOf(updates: AsyncIterable<unknown>): Promise<unknown> {
  for await (const update of updates) return update;
  return undefined;
}

// The router is flat (root-level verbs), so its inputs map has one key per procedure.
type ProcedureName = keyof inferRouterInputs<AppRouter>;

const SIGNED_IN: readonly Role[] = ["customer", "otherCustomer", "organizer", "otherOrganizer", "admin", "service"];
const BUYERS: readonly Role[] = ["customer", "otherCustomer", "organizer", "otherOrganizer", "admin"];

const upsertInput = (fixture: Fixture) => ({
  externalId: fixture.externalId,
  name: "Authorization Night",
  venue: "Harbor Hall",
  startsAt: "2031-09-01T20:00:00Z",
  status: "on_sale" as const,
});

// A procedure added to the router without a row here fails to compile (and the first test).
const table: Record<ProcedureName, Row> = {
  listEvents: { allow: "everyone", call: (c) => c.listEvents({ limit: 1 }) },
  getEvent: { allow: "everyone", call: (c, f) => c.getEvent({ eventId: f.eventId }) },
  getAvailableTickets: { allow: "everyone", call: (c, f) => c.getAvailableTickets({ eventId: f.eventId }) },
  getSeatMap: { allow: "everyone", call: (c, f) => c.getSeatMap({ eventId: f.eventId }) },
  onAvailabilityChange: { allow: "everyone", call: (c, f) => c.onAvailabilityChange({ eventId: f.eventId }) },
  onSalesChange: { allow: ["organizer", "otherOrganizer", "admin"], call: (c) => c.onSalesChange() },
  importEvents: {
    allow: ["organizer", "otherOrganizer", "admin", "service"],
    call: (c) => c.importEvents(upload(EMPTY_FEED)),
  },
  getImport: { allow: ["organizer", "admin"], call: (c, f) => c.getImport({ importId: f.importId }) },
  onImportProgress: {
    allow: ["organizer", "admin"],
    call: async (c, f) => firstOf(await c.onImportProgress({ importId: f.importId })),
  },
  upsertEvent: { allow: ["organizer", "admin", "service"], call: (c, f) => c.upsertEvent(upsertInput(f)) },
  listOrganizedEvents: { allow: ["organizer", "otherOrganizer", "admin"], call: (c) => c.listOrganizedEvents() },
  getSalesSummary: { allow: ["organizer", "admin"], call: (c, f) => c.getSalesSummary({ eventId: f.eventId }) },
  createBooking: { allow: BUYERS, call: (c, f) => c.createBooking({ eventId: f.eventId, quantity: 1 }) },
  confirmBooking: {
    allow: ["customer"],
    call: (c, f) => c.confirmBooking({ bookingId: f.bookingId, paymentToken: "tok_visa" }),
  },
  cancelBooking: {
    allow: ["customer", "organizer", "admin"],
    call: (c, f) => c.cancelBooking({ bookingId: f.bookingId }),
  },
  getBooking: { allow: ["customer", "organizer", "admin"], call: (c, f) => c.getBooking({ bookingId: f.bookingId }) },
  listMyBookings: { allow: SIGNED_IN, call: (c) => c.listMyBookings() },
  checkPermission: {
    allow: ["customer", "admin", "service"],
    call: (c, f) => c.checkPermission({ userId: f.customerId, resource: `booking:${f.bookingId}`, action: "read" }),
  },
  signUp: {
    allow: "everyone",
    call: (c) => c.signUp({ email: `authz-${randomUUID()}@example.test`, password: "a good password", name: "New" }),
  },
  signIn: { allow: "everyone", call: (c, f) => c.signIn(f.credentials) },
  signOut: { allow: "everyone", call: (c) => c.signOut() },
  me: { allow: "everyone", call: (c) => c.me() },
  releaseExpiredHolds: { allow: ["admin", "service"], call: (c) => c.releaseExpiredHolds({ limit: 1 }) },
  claimNotifications: { allow: ["service"], call: (c) => c.claimNotifications({ limit: 1 }) },
  ackNotifications: {
    allow: ["service"],
    call: (c) => c.ackNotifications({ leaseId: randomUUID(), ids: [randomUUID()] }),
  },
  purgeIdempotencyRecords: { allow: ["admin", "service"], call: (c) => c.purgeIdempotencyRecords({ limit: 1 }) },
  purgeSeatChanges: {
    allow: ["admin", "service"],
    call: (c) => c.purgeSeatChanges({ retentionMinutes: 60, limit: 1 }),
  },
};

const allowed = (row: Row, role: Role) => row.allow === "everyone" || row.allow.includes(role);
const denial = (role: Role) => (role === "anonymous" ? "UNAUTHORIZED" : "FORBIDDEN");

let server: TestServer;
let api: TestApi;
let availability: AvailabilityFeed;
/** A caller with a session of its own, so that one cell (signOut) cannot affect the next. */
let callerFor: (role: Role) => Promise<Caller>;
let tokens: Record<Role, string | undefined>;
let fixture: () => Promise<Fixture>;

beforeAll(async () => {
  server = await startTestServer();
  // The live subscriptions answer SERVICE_UNAVAILABLE without a feed, whoever calls.
  availability = await startAvailabilityFeed(server.database);
  api = await createTestApi(server.database, { availability });
  const people = {
    customer: await api.newUser("customer"),
    otherCustomer: await api.newUser("customer"),
    organizer: await api.newUser("organizer"),
    otherOrganizer: await api.newUser("organizer"),
    admin: await api.newUser("admin"),
  };
  callerFor = async (role) => {
    if (role === "anonymous") return api.anonymous;
    // Every signed-in caller carries a fresh key: an import is named by it.
    if (role === "service") return api.serviceWithKey(randomUUID());
    return api.as(people[role].user.email, randomUUID());
  };
  tokens = {
    anonymous: undefined,
    customer: people.customer.token,
    otherCustomer: people.otherCustomer.token,
    organizer: people.organizer.token,
    otherOrganizer: people.otherOrganizer.token,
    admin: people.admin.token,
    service: TEST_WORKER_TOKEN,
  };
  const credentials = { email: `authz-${randomUUID()}@example.test`, password: "a good password" };
  await api.anonymous.signUp({ ...credentials, name: "Matrix Member" });
  fixture = async () => {
    const externalId = `authz-${randomUUID()}`;
    const { event } = await people.organizer.caller.upsertEvent(upsertInput({ externalId } as Fixture));
    const booking = await people.customer.caller.createBooking({ eventId: event.id, quantity: 1 });
    const importId = randomUUID();
    await (await api.as(people.organizer.user.email, importId)).importEvents(upload(EMPTY_FEED));
    return {
      eventId: event.id,
      externalId,
      bookingId: booking.id,
      customerId: people.customer.user.id,
      importId,
      credentials,
    };
  };
});
afterAll(async () => {
  await availability?.close();
  await server?.close();
});

describe("the authorization matrix", () => {
  it("has a row for every procedure of the router", () => {
    expect(Object.keys(table).sort()).toEqual(listProcedures(appRouter).map(({ name }) => name));
  });

  it("agrees with the auth each procedure declares (the API contract records it)", () => {
    const declared = listProcedures(appRouter).map(({ name, meta }) => ({
      name,
      auth: (meta as ProcedureMeta | undefined)?.auth,
    }));
    const expected = declared.map(({ name }) => ({
      name,
      auth: allowed(table[name as ProcedureName], "anonymous") ? "public" : "signed-in",
    }));
    expect(declared).toEqual(expected);
  });

  for (const [name, row] of Object.entries(table) as [ProcedureName, Row][]) {
    it(`${name}: ${row.allow === "everyone" ? "everyone" : row.allow.join(", ") || "no one"}`, async () => {
      const outcomes: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const role of ROLES) {
        let code = "allow";
        try {
          await row.call(await callerFor(role), await fixture());
        } catch (error) {
          if (!(error instanceof TRPCError)) throw error;
          if (error.code === "UNAUTHORIZED" || error.code === "FORBIDDEN") code = error.code;
          else if (!row.domainCodes?.includes(error.code)) code = `${error.code}: ${error.message}`;
        }
        outcomes[role] = code;
        expected[role] = allowed(row, role) ? "allow" : denial(role);
      }
      expect(outcomes).toEqual(expected);
    });
  }

  it("holds over HTTP too: getSalesSummary for each role, by the same row", async () => {
    const row = table.getSalesSummary;
    const { eventId } = await fixture();
    for (const role of ROLES) {
      const code = await codeOf(clientFor(server.url, tokens[role]).getSalesSummary.query({ eventId }));
      expect({ role, code }).toEqual({ role, code: allowed(row, role) ? "ok" : denial(role) });
    }
  });
});
