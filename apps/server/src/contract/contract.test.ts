import { readFileSync } from "node:fs";
import { appRouter, type ProcedureMeta } from "@ticketing/api";
import {
  bookingIdInput,
  bookingOutput,
  createBookingInput,
  eventIdInput,
  eventOutput,
  listEventsInput,
  listEventsOutput,
  seatMapInput,
  seatMapOutput,
} from "@ticketing/api/schemas";
import { listProcedures } from "@ticketing/host";
import type { Change, JsonSchema } from "@ticketing/rpc/contract";
import { type AnyProcedure, type AnyRouter, initTRPC } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { openApiDocument } from "../rest";
import { SNAPSHOT_FILE } from ".";
import { type Contract, compareContracts, describeContract, serializeContract } from "./contract";

// Every class of change, made on a copy of the router built here (never by editing the real
// one), compared with the contract of the router as it is.
const t = initTRPC.meta<ProcedureMeta>().create();
const stub = () => {
  throw new Error("only described, never called");
};
const query = (input: z.ZodType | null, output: z.ZodType, meta: ProcedureMeta = { auth: "public" }) =>
  (input ? t.procedure.meta(meta).input(input) : t.procedure.meta(meta)).output(output).query(stub);
const mutation = (input: z.ZodType, output: z.ZodType, meta: ProcedureMeta = { auth: "signed-in" }) =>
  t.procedure.meta(meta).input(input).output(output).mutation(stub);

/** appRouter with some procedures replaced, added (a procedure) or removed (undefined). */
function variant(changes: Record<string, AnyProcedure | undefined>): AnyRouter {
  const record: Record<string, AnyProcedure> = {};
  for (const { name, procedure } of listProcedures(appRouter)) record[name] = procedure;
  for (const [name, procedure] of Object.entries(changes)) {
    if (procedure) record[name] = procedure;
    else delete record[name];
  }
  return t.router(record);
}

/** A procedure's metadata in the real router (its auth and REST route), to build a variant on. */
const metaOf = (name: string) =>
  listProcedures(appRouter).find((procedure) => procedure.name === name)?.meta as ProcedureMeta;

let baseline: Contract;
beforeAll(async () => {
  baseline = await describeContract(appRouter, openApiDocument());
});

async function changesOf(
  router: AnyRouter,
  openapi: JsonSchema = openApiDocument(undefined, router),
): Promise<Change[]> {
  return compareContracts(baseline, await describeContract(router, openapi));
}
const levels = (changes: Change[]) => [...new Set(changes.map((change) => change.level))].sort();
const at = (changes: Change[], path: string) => changes.filter((change) => change.path === path);

describe("the contract snapshot", () => {
  it("is written as committed: the file holds no breaking difference from the router", () => {
    const committed = JSON.parse(readFileSync(SNAPSHOT_FILE, "utf8")) as Contract;
    expect(compareContracts(committed, baseline).filter((change) => change.level === "breaking")).toEqual([]);
  });

  it("is written in a stable order: fields declared in another order give the same file", () => {
    const reversed = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversed)
        : typeof value === "object" && value !== null
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([key, item]) => [key, reversed(item)]),
            )
          : value;
    expect(serializeContract(reversed(baseline) as Contract)).toBe(serializeContract(baseline));
  });

  it("records kind, auth, input and output per procedure, REST routes, and octet-stream input honestly", () => {
    const { procedures } = baseline;
    expect(procedures.createBooking).toMatchObject({
      kind: "mutation",
      auth: "signed-in",
      rest: { method: "POST", path: "/api/v1/bookings" },
    });
    expect(procedures.getEvent?.rest).toEqual({ method: "GET", path: "/api/v1/events/{id}" });
    expect(procedures.listEvents?.input).toMatchObject({ optional: true });
    expect(procedures.importEvents?.input).toEqual({ octetStream: true });
    expect(procedures.onAvailabilityChange).toMatchObject({ kind: "subscription", output: null });
    expect(procedures.me).toMatchObject({ auth: "public", input: null });
    // A cached output (getEvent's fast path is a plain function) still shows its schema.
    expect(procedures.getEvent?.output).toHaveProperty("schema.properties.counts");
  });

  it("finds no change between the router and itself", async () => {
    expect(await changesOf(appRouter)).toEqual([]);
  });
});

describe("breaking changes", () => {
  it("a removed procedure", async () => {
    const changes = await changesOf(variant({ getSeatMap: undefined }));
    expect(at(changes, "getSeatMap")).toMatchObject([{ level: "breaking", message: expect.stringMatching(/removed/) }]);
  });

  it("a renamed procedure: the old name is gone", async () => {
    const getSeatMap = listProcedures(appRouter).find((p) => p.name === "getSeatMap")?.procedure;
    const changes = await changesOf(variant({ getSeatMap: undefined, getSeatPlan: getSeatMap }));
    expect(at(changes, "getSeatMap")).toMatchObject([{ level: "breaking" }]);
    expect(at(changes, "getSeatPlan")).toMatchObject([{ level: "additive" }]);
  });

  it("a changed kind", async () => {
    const changes = await changesOf(variant({ getSeatMap: mutation(seatMapInput, seatMapOutput, { auth: "public" }) }));
    expect(changes).toEqual([
      { level: "breaking", path: "getSeatMap", message: "kind changed from query to mutation" },
    ]);
  });

  it("a new required input field", async () => {
    const input = seatMapInput.extend({ venueId: z.uuid() });
    const changes = await changesOf(variant({ getSeatMap: query(input, seatMapOutput) }));
    expect(changes).toEqual([
      { level: "breaking", path: "getSeatMap.input.venueId", message: "new required input field" },
    ]);
  });

  it("a narrowed input: enum values removed", async () => {
    const input = listEventsInput.unwrap().extend({ status: z.enum(["on_sale", "sold_out"]).optional() });
    const changes = await changesOf(variant({ listEvents: query(input.prefault({}), listEventsOutput) }));
    expect(at(changes, "listEvents.input.status")).toEqual([
      { level: "breaking", path: "listEvents.input.status", message: 'no longer accepts "scheduled", "cancelled"' },
    ]);
  });

  it("a narrowed input: tighter bounds (max, minLength, pattern)", async () => {
    const list = listEventsInput.unwrap().extend({ limit: z.number().int().min(1).max(50).default(20) });
    const book = createBookingInput.safeExtend({
      idempotencyKey: z
        .string()
        .min(16)
        .max(128)
        .regex(/^[a-z]+$/)
        .optional(),
    });
    const changes = await changesOf(
      variant({ listEvents: query(list.prefault({}), listEventsOutput), createBooking: mutation(book, bookingOutput) }),
    );
    expect(at(changes, "listEvents.input.limit")).toContainEqual(
      expect.objectContaining({ level: "breaking", message: "maximum lowered: 100 → 50" }),
    );
    const key = at(changes, "createBooking.input.idempotencyKey");
    expect(key).toContainEqual(expect.objectContaining({ level: "breaking", message: "minLength raised: none → 16" }));
    expect(key).toContainEqual(
      expect.objectContaining({ level: "breaking", message: expect.stringMatching(/^pattern/) }),
    );
  });

  it("a narrowed input: a type changed", async () => {
    const input = seatMapInput.extend({ section: z.number().int().optional() });
    const changes = await changesOf(variant({ getSeatMap: query(input, seatMapOutput) }));
    expect(changes).toEqual([
      { level: "breaking", path: "getSeatMap.input.section", message: "type changed from string to integer" },
    ]);
  });

  it("an output field removed", async () => {
    const output = eventOutput.omit({ description: true });
    const changes = await changesOf(variant({ getEvent: query(eventIdInput, output) }));
    expect(at(changes, "getEvent.output.description")).toEqual([
      { level: "breaking", path: "getEvent.output.description", message: "output field removed" },
    ]);
  });

  it("an output field made optional, or nullable (nested too)", async () => {
    const output = eventOutput.extend({
      description: z.string().nullable(),
      venue: eventOutput.shape.venue.extend({ city: z.string().optional() }),
    });
    // With its REST route: the OpenAPI document is derived from the procedure, so it sees the change too.
    const changes = await changesOf(variant({ getEvent: query(eventIdInput, output, metaOf("getEvent")) }));
    expect(changes.filter((change) => change.level !== "compatible")).toEqual([
      { level: "breaking", path: "getEvent.output.description", message: "made nullable" },
      { level: "breaking", path: "getEvent.output.venue.city", message: "made optional" },
      { level: "breaking", path: "GET /api/v1/events/{id} response(200).description", message: "made nullable" },
      { level: "breaking", path: "GET /api/v1/events/{id} response(200).venue.city", message: "made optional" },
    ]);
  });

  it("an enum value added to an output", async () => {
    const output = bookingOutput.extend({ status: z.enum(["held", "confirmed", "expired", "cancelled", "refunded"]) });
    const changes = await changesOf(variant({ getBooking: query(bookingIdInput, output, { auth: "signed-in" }) }));
    expect(at(changes, "getBooking.output.status")).toEqual([
      {
        level: "breaking",
        path: "getBooking.output.status",
        message: `may now return "refunded", which an old client's exhaustive switch does not handle`,
      },
    ]);
  });

  it("a REST path or method changed", async () => {
    const document = openApiDocument();
    const moved = structuredClone(document) as unknown as { paths: Record<string, Record<string, unknown>> };
    moved.paths["/api/v1/holds"] = moved.paths["/api/v1/bookings"] as Record<string, unknown>;
    delete moved.paths["/api/v1/bookings"];
    const item = moved.paths["/api/v1/events/{id}"] as Record<string, unknown>;
    item.put = item.get;
    delete item.get;
    const changes = await changesOf(appRouter, moved as unknown as JsonSchema);
    expect(at(changes, "createBooking.rest")).toEqual([
      {
        level: "breaking",
        path: "createBooking.rest",
        message: "REST route changed from POST /api/v1/bookings to POST /api/v1/holds",
      },
    ]);
    expect(at(changes, "getEvent.rest")).toMatchObject([{ level: "breaking" }]);
    expect(at(changes, "POST /api/v1/bookings")).toMatchObject([
      { level: "breaking", message: expect.stringMatching(/removed/) },
    ]);
    expect(at(changes, "GET /api/v1/events/{id}")).toMatchObject([{ level: "breaking" }]);
  });

  it("auth tightened: a public procedure now needs a session", async () => {
    const changes = await changesOf(variant({ getSeatMap: query(seatMapInput, seatMapOutput, { auth: "signed-in" }) }));
    expect(changes).toEqual([
      { level: "breaking", path: "getSeatMap.auth", message: "auth changed from public to signed-in" },
    ]);
  });
});

describe("the OpenAPI document, compared the same way", () => {
  type Document = {
    paths: Record<string, Record<string, { parameters: { name: string; in: string; required?: boolean }[] }>>;
    components: { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> };
  };
  const edited = (edit: (document: Document) => void) => {
    const document = structuredClone(openApiDocument()) as unknown as Document;
    edit(document);
    return document as unknown as JsonSchema;
  };

  it("a new required query parameter is breaking, a new optional one additive", async () => {
    const document = edited((d) => {
      d.paths["/api/v1/events"]?.get?.parameters.push(
        { name: "city", in: "query", required: true },
        { name: "venue", in: "query", required: false },
      );
    });
    expect(await changesOf(appRouter, document)).toEqual([
      { level: "breaking", path: "GET /api/v1/events (query city)", message: "new required parameter" },
      { level: "additive", path: "GET /api/v1/events (query venue)", message: "new optional parameter" },
    ]);
  });

  it("a field of a response schema removed, through its $ref", async () => {
    const document = edited((d) => {
      const event = d.components.schemas.Event;
      if (!event) throw new Error("the document has no Event schema");
      delete event.properties.description;
      event.required = event.required.filter((name) => name !== "description");
    });
    expect(await changesOf(appRouter, document)).toEqual([
      { level: "breaking", path: "GET /api/v1/events/{id} response(200).description", message: "output field removed" },
    ]);
  });
});

describe("additive changes", () => {
  it("a new procedure", async () => {
    const changes = await changesOf(variant({ getVenue: query(eventIdInput, z.object({ name: z.string() })) }));
    expect(changes).toEqual([{ level: "additive", path: "getVenue", message: "new query" }]);
  });

  it("a new optional input field", async () => {
    const input = seatMapInput.extend({ tier: z.string().optional() });
    const changes = await changesOf(variant({ getSeatMap: query(input, seatMapOutput) }));
    expect(changes).toEqual([
      { level: "additive", path: "getSeatMap.input.tier", message: "new optional input field" },
    ]);
  });

  it("a widened input: a looser bound and a new enum value", async () => {
    const input = listEventsInput.unwrap().extend({
      limit: z.number().int().min(1).max(500).default(20),
      status: z.enum(["scheduled", "on_sale", "sold_out", "cancelled", "postponed"]).optional(),
    });
    const changes = await changesOf(variant({ listEvents: query(input.prefault({}), listEventsOutput) }));
    const procedure = changes.filter((change) => change.path.startsWith("listEvents.input"));
    expect(procedure).toEqual([
      { level: "additive", path: "listEvents.input.limit", message: "maximum raised: 100 → 500" },
      { level: "additive", path: "listEvents.input.status", message: 'now also accepts "postponed"' },
    ]);
  });

  it("a new output field", async () => {
    const output = seatMapOutput.extend({ updatedAt: z.date() });
    const changes = await changesOf(variant({ getSeatMap: query(seatMapInput, output) }));
    expect(changes).toEqual([{ level: "additive", path: "getSeatMap.output.updatedAt", message: "new output field" }]);
  });

  it("none of them fails the check", async () => {
    const router = variant({
      getVenue: query(eventIdInput, z.object({ name: z.string() })),
      getSeatMap: query(seatMapInput.extend({ tier: z.string().optional() }), seatMapOutput.extend({ at: z.date() })),
    });
    expect(levels(await changesOf(router))).toEqual(["additive"]);
  });
});

describe("deprecation", () => {
  it("of a procedure: reported, and marked in the OpenAPI document", async () => {
    // Its REST route is in its metadata: the deprecated copy keeps it.
    const meta: ProcedureMeta = { ...metaOf("getEvent"), deprecated: "Use getSeatMap." };
    const router = variant({ getEvent: query(eventIdInput, eventOutput, meta) });
    const document = openApiDocument(undefined, router);
    expect(document.paths["/api/v1/events/{id}"]?.get).toMatchObject({
      deprecated: true,
      description: "Deprecated: Use getSeatMap.",
    });
    const changes = await changesOf(router, document);
    expect(changes).toEqual([
      { level: "deprecation", path: "getEvent", message: "deprecated: Use getSeatMap." },
      { level: "deprecation", path: "GET /api/v1/events/{id}", message: "deprecated" },
    ]);
  });

  it("of a field: reported where it is", async () => {
    const input = seatMapInput.extend({
      section: z.string().trim().min(1).max(100).optional().meta({ deprecated: true }),
    });
    const changes = await changesOf(variant({ getSeatMap: query(input, seatMapOutput) }));
    expect(changes).toEqual([{ level: "deprecation", path: "getSeatMap.input.section", message: "deprecated" }]);
  });
});
