import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { appRouter, type Context, createCaller, createContextFactory, type ProcedureMeta } from "@ticketing/api";
import { eventIdInput, eventOutput, listEventsInput, listEventsOutput } from "@ticketing/api/schemas";
import { createTestApi, type TestApi } from "@ticketing/api/testing";
import { listProcedures } from "@ticketing/host";
import type { RestRoute } from "@ticketing/rpc/rest";
import {
  type Contract,
  compareContracts,
  describeContract,
  openApiDocument,
  readSnapshot,
} from "@ticketing/server/contract";
import { startTestServer, TEST_WORKER_TOKEN, type TestServer } from "@ticketing/server/testing";
import { type AnyProcedure, type AnyRouter, initTRPC } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

/**
 * Old clients keep working. The client here knows nothing of today's router: it is built
 * from the committed contract snapshot (apps/server/api-contract.json) alone — plain fetch
 * calls with recorded inputs, sent the way the snapshot says (query or mutation, REST method
 * and path), each input checked against the snapshot's input schema before it is sent and
 * each answer against the snapshot's output schema. Replayed against the current server, and
 * against copies of the router with additive changes, every call passes; a breaking copy
 * fails exactly the calls it breaks.
 */

interface RecordedCall {
  /** A tRPC procedure (`/trpc/<name>`), or a REST operation `METHOD /path` of the OpenAPI document. */
  call: string;
  /** The input, with `$placeholders` for ids the fixture makes. */
  input?: unknown;
  /** For REST: path parameters, query parameters, body. */
  path?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  asCustomer?: boolean;
}

const RECORDED: RecordedCall[] = [
  { call: "listEvents", input: { limit: 2 } },
  { call: "listEvents", input: { status: "on_sale" } },
  { call: "getEvent", input: { eventId: "$eventId" } },
  { call: "getSeatMap", input: { eventId: "$eventId" } },
  { call: "getAvailableTickets", input: { eventId: "$eventId" } },
  { call: "me", asCustomer: true },
  { call: "createBooking", input: { eventId: "$eventId", quantity: 1, idempotencyKey: "$key" }, asCustomer: true },
  { call: "getBooking", input: { bookingId: "$bookingId" }, asCustomer: true },
  { call: "listMyBookings", input: { limit: 5 }, asCustomer: true },
  {
    call: "checkPermission",
    input: { userId: "$customerId", resource: "booking:$bookingId", action: "read" },
    asCustomer: true,
  },
  { call: "GET /api/v1/events", query: { limit: "2" } },
  { call: "GET /api/v1/events/{id}", path: { id: "$eventId" } },
  { call: "POST /api/v1/bookings", body: { eventId: "$eventId", quantity: 1 }, asCustomer: true },
];

type Fixture = Record<string, string>;

function fill<T>(value: T, fixture: Fixture): T {
  if (value === undefined) return value;
  return JSON.parse(
    JSON.stringify(value).replace(/\$([a-zA-Z]+)/g, (token, name: string) => fixture[name] ?? token),
  ) as T;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** A validator for a schema of the snapshot (`$ref`s into the OpenAPI document's components). */
const compiled = new Map<object, ReturnType<typeof ajv.compile>>();
function validator(schema: object, components?: unknown) {
  let check = compiled.get(schema);
  if (!check) {
    check = ajv.compile(components ? { ...schema, components } : schema);
    compiled.set(schema, check);
  }
  const validate = check;
  return (value: unknown) => (validate(value) ? "valid" : ajv.errorsText(validate.errors));
}

interface Outcome {
  call: string;
  status: number;
  /** "valid", or what was wrong with the answer against the snapshot's output schema. */
  answer: string;
}

/** The client an old program had: the snapshot, fetch, and nothing else. */
function snapshotClient(snapshot: Contract) {
  const openapi = snapshot.openapi as {
    components: unknown;
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  return async function send(url: string, recorded: RecordedCall, fixture: Fixture, token: string): Promise<Outcome> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (recorded.asCustomer) headers.authorization = `Bearer ${token}`;
    const rest = /^(GET|POST|PUT|PATCH|DELETE) (\/.*)$/.exec(recorded.call);
    if (!rest) {
      const procedure = snapshot.procedures[recorded.call];
      if (!procedure) throw new Error(`${recorded.call} is not in the snapshot`);
      const input = fill(recorded.input, fixture);
      if (procedure.input && "schema" in procedure.input) {
        // A recorded call is one the snapshot allowed; otherwise the replay proves nothing.
        expect({ call: recorded.call, input: validator(procedure.input.schema)(input) }).toEqual({
          call: recorded.call,
          input: "valid",
        });
      }
      const encoded = input === undefined ? undefined : JSON.stringify({ json: input });
      const response =
        procedure.kind === "query"
          ? await fetch(`${url}/trpc/${recorded.call}${encoded ? `?input=${encodeURIComponent(encoded)}` : ""}`, {
              headers,
            })
          : await fetch(`${url}/trpc/${recorded.call}`, { method: "POST", headers, body: encoded ?? "{}" });
      const body = (await response.json()) as { result?: { data?: { json?: unknown } } };
      const answer =
        response.ok && procedure.output && "schema" in procedure.output
          ? validator(procedure.output.schema)(body.result?.data?.json)
          : JSON.stringify(body).slice(0, 300);
      return { call: recorded.call, status: response.status, answer };
    }
    const [, method = "", template = ""] = rest;
    const operation = openapi.paths[template]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${recorded.call} is not in the snapshot's OpenAPI document`);
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(fill(recorded.path ?? {}, fixture)[name] ?? ""),
    );
    const query = new URLSearchParams(fill(recorded.query ?? {}, fixture)).toString();
    const body = recorded.body === undefined ? undefined : fill(recorded.body, fixture);
    if (method === "POST") headers["idempotency-key"] = `replay-${randomUUID()}`;
    const response = await fetch(`${url}${path}${query ? `?${query}` : ""}`, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const answerBody = await response.json();
    const schema = operation.responses[String(response.status)]?.content?.["application/json"]?.schema;
    const answer =
      response.ok && schema
        ? validator(schema, openapi.components)(answerBody)
        : JSON.stringify(answerBody).slice(0, 300);
    return { call: recorded.call, status: response.status, answer };
  };
}

interface OpenApiOperation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

let server: TestServer;
let api: TestApi;
let customer: Awaited<ReturnType<TestApi["newUser"]>>;
let fixture: () => Promise<Fixture>;
const snapshot = readSnapshot();
const send = snapshotClient(snapshot);

beforeAll(async () => {
  server = await startTestServer();
  api = await createTestApi(server.database);
  customer = await api.newUser("customer");
  const organizer = await api.newUser("organizer");
  // Each replay gets an event of its own, on sale, and a booking of the customer's there.
  fixture = async () => {
    const { event } = await organizer.caller.upsertEvent({
      externalId: `replay-${randomUUID()}`,
      name: "Replay Night",
      venue: "Harbor Hall",
      startsAt: "2031-09-01T20:00:00Z",
      status: "on_sale",
    });
    const booking = await customer.caller.createBooking({ eventId: event.id, quantity: 1 });
    return { eventId: event.id, bookingId: booking.id, customerId: customer.user.id };
  };
});
afterAll(() => server?.close());

async function replay(url: string, calls = RECORDED): Promise<Outcome[]> {
  const shared = await fixture();
  const outcomes: Outcome[] = [];
  for (const recorded of calls) {
    outcomes.push(await send(url, recorded, { ...shared, key: `replay-${randomUUID()}` }, customer.token));
  }
  return outcomes;
}
const passed = (outcome: Outcome) => outcome.status >= 200 && outcome.status < 300 && outcome.answer === "valid";

/** A copy of the router, served by tRPC's own standalone adapter on the test's database. */
const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({ transformer: superjson });

function variant(changes: Record<string, AnyProcedure>): AnyRouter {
  const record: Record<string, AnyProcedure> = {};
  for (const { name, procedure } of listProcedures(appRouter)) record[name] = procedure;
  return t.router({ ...record, ...changes });
}

async function host(router: AnyRouter): Promise<{ url: string; close(): Promise<void> }> {
  const contextFor = createContextFactory({ db: server.database.db, serviceToken: TEST_WORKER_TOKEN });
  const http = createHTTPServer({
    router,
    basePath: "/trpc/",
    createContext: ({ req }) => {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      return contextFor({ requestId: randomUUID(), credentials: bearer ? { token: bearer, source: "bearer" } : null });
    },
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

/** The REST route of a procedure of the real router, for a copy of it with another input schema. */
function rerouted(name: string, input: unknown): RestRoute {
  const rest = (
    listProcedures(appRouter).find((procedure) => procedure.name === name)?.meta as ProcedureMeta | undefined
  )?.rest;
  if (!rest) throw new Error(`${name} has no REST route`);
  // The copy's own input: the route is checked against it when the document is built.
  return { ...rest, input };
}

/** A procedure of the copy answers through the real one (the same domain code), then adds to it. */
const through = (ctx: Context) => createCaller(ctx);

describe("clients built from the contract snapshot", () => {
  it("the current server answers every recorded call, as the snapshot describes", async () => {
    const outcomes = await replay(server.url);
    expect(outcomes.filter((outcome) => !passed(outcome))).toEqual([]);
    expect(outcomes).toHaveLength(RECORDED.length);
  });

  it("every additive change passes: new optional input, widened input, new output fields, a new procedure", async () => {
    // The copies keep their REST routes (metadata) and their schemas' titles (component names),
    // so the derived OpenAPI document changes as additively as the procedures.
    const eventInput = eventIdInput.extend({ currency: z.enum(["EUR", "USD"]).optional() });
    const listInput = listEventsInput
      .unwrap()
      .extend({ limit: z.number().int().min(1).max(500).default(20) })
      .prefault({});
    const router = variant({
      getEvent: t.procedure
        .meta({ auth: "public", rest: rerouted("getEvent", eventInput) })
        .input(eventInput)
        .output(eventOutput.extend({ rating: z.number().nullable() }).meta({ title: "Event" }))
        .query(async ({ ctx, input }) => ({
          ...(await through(ctx).getEvent({ eventId: input.eventId })),
          rating: null,
        })),
      listEvents: t.procedure
        .meta({ auth: "public", rest: rerouted("listEvents", listInput) })
        .input(listInput)
        .output(listEventsOutput.extend({ total: z.number().int().optional() }).meta({ title: "EventPage" }))
        .query(({ ctx, input }) => through(ctx).listEvents({ ...input, limit: Math.min(input.limit, 100) })),
      getVenueNotes: t.procedure
        .meta({ auth: "public" })
        .output(z.object({ notes: z.string() }))
        .query(() => ({ notes: "new" })),
    });
    const changes = compareContracts(snapshot, await describeContract(router, openApiDocument(undefined, router)));
    expect(new Set(changes.map((change) => change.level))).toEqual(new Set(["additive"]));
    // The REST operation follows its procedure: the new optional field is a new optional parameter.
    expect(changes).toContainEqual({
      level: "additive",
      path: "GET /api/v1/events/{id} (query currency)",
      message: "new optional parameter",
    });
    const copy = await host(router);
    try {
      const trpcCalls = RECORDED.filter((recorded) => !recorded.call.includes(" "));
      const outcomes = await replay(copy.url, trpcCalls);
      expect(outcomes.filter((outcome) => !passed(outcome))).toEqual([]);
    } finally {
      await copy.close();
    }
  });

  it("a breaking change fails the calls it breaks, and the check says breaking", async () => {
    const router = variant({
      getEvent: t.procedure
        .meta({ auth: "public" })
        .input(eventIdInput.extend({ currency: z.enum(["EUR", "USD"]) }))
        .output(eventOutput)
        .query(({ ctx, input }) => through(ctx).getEvent({ eventId: input.eventId })),
      listMyBookings: t.procedure
        .meta({ auth: "signed-in" })
        .input(z.object({ limit: z.number().int().max(3) }))
        .output(z.object({ items: z.array(z.object({ id: z.string() })) }))
        .query(() => ({ items: [] })),
    });
    const changes = compareContracts(snapshot, await describeContract(router, openApiDocument(undefined, router)));
    expect(changes.filter((change) => change.level === "breaking").map((change) => change.path)).toEqual(
      expect.arrayContaining([
        "getEvent.input.currency",
        "listMyBookings.input.limit",
        "listMyBookings.output.nextCursor",
      ]),
    );
    const copy = await host(router);
    try {
      const outcomes = await replay(
        copy.url,
        RECORDED.filter((recorded) => !recorded.call.includes(" ")),
      );
      expect(outcomes.filter((outcome) => !passed(outcome)).map(({ call, status }) => ({ call, status }))).toEqual([
        { call: "getEvent", status: 400 },
        { call: "listMyBookings", status: 400 },
      ]);
    } finally {
      await copy.close();
    }
  });
});
