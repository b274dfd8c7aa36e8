import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { type RestRoute, restRoute } from "@ticketing/rpc/rest";
import { initTRPC, TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRestHandler, openApiDocument, restOperations } from ".";

// A router of its own, nothing of the app's: the derivation is generic.
type Meta = { rest?: RestRoute };
const t = initTRPC.meta<Meta>().create();

const noteInput = z.object({ noteId: z.uuid(), verbose: z.boolean().optional() });
const listInput = z.object({
  tag: z.array(z.string()).optional(),
  limit: z.number().int().min(1).max(5).default(2),
  after: z.number().optional(),
});
const note = z.object({ id: z.uuid(), text: z.string(), verbose: z.boolean() }).meta({ title: "Note" });
const editInput = z.object({ noteId: z.uuid(), text: z.string().min(1) });
const id = "0b7a1c9e-8f3d-4c2b-9a6e-5d4f3c2b1a09";

let replays = 0;
const router = t.router({
  getNote: t.procedure
    .input(noteInput)
    .meta({ rest: restRoute(noteInput, { method: "GET", path: "/notes/{id}", params: { id: "noteId" } }) })
    .output(note)
    .query(({ input }) => {
      if (input.noteId !== id) throw new TRPCError({ code: "NOT_FOUND", message: "No such note." });
      return { id, text: "hello", verbose: input.verbose ?? false };
    }),
  listNotes: t.procedure
    .input(listInput)
    .meta({ rest: restRoute(listInput, { method: "GET", path: "/notes" }) })
    .query(({ input }) => ({ received: input })),
  nested: t.router({
    editNote: t.procedure
      .input(editInput)
      .meta({
        rest: restRoute(editInput, {
          method: "PUT",
          path: "/notes/{noteId}",
          status: 201,
          replayStatus: 200,
          errors: { CONFLICT: "Edited by someone else" },
        }),
      })
      .mutation(({ input }) => ({ edited: input })),
  }),
  featured: t.procedure
    .meta({ rest: restRoute(undefined, { method: "GET", path: "/notes/featured" }) })
    .query(() => ({ featured: true })),
  internal: t.procedure.query(() => "not on REST"),
});

let server: Server;
let base: string;
beforeAll(async () => {
  const handle = createRestHandler({
    operations: restOperations(router, { prefix: "/v2" }),
    prefix: "/v2",
    document: () => ({ openapi: "3.1.0" }),
    caller: (req, _call, { onReplay }) => {
      // A client that says it repeats itself is answered as a replay, as an idempotency store would.
      if (req.headers["idempotency-key"] === "seen-before") {
        replays++;
        onReplay();
      }
      return t.createCallerFactory(router)({});
    },
    maxBodyBytes: 1024,
  });
  server = createServer((req, res) => void handle(req, res, "request-1"));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server?.close());

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, init);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe("the REST router, from metadata", () => {
  it("fills the input from the path (through params), the query by the schema's types, and the body", async () => {
    expect(await call(`/v2/notes/${id}?verbose=true`)).toMatchObject({
      status: 200,
      body: { id, text: "hello", verbose: true },
    });
    const listed = await call("/v2/notes?tag=a&tag=b&limit=3&after=1.5&unknown=x");
    expect(listed.body).toEqual({ received: { tag: ["a", "b"], limit: 3, after: 1.5 } });
    // A literal segment wins over a placeholder.
    expect((await call("/v2/notes/featured")).body).toEqual({ featured: true });
    const put = (headers: Record<string, string> = {}) =>
      call(`/v2/notes/${id}`, {
        method: "PUT",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ text: "new", noteId: "ignored: the path names the note" }),
      });
    expect(await put()).toMatchObject({ status: 201, body: { edited: { noteId: id, text: "new" } } });
    expect((await put({ "idempotency-key": "seen-before" })).status).toBe(200);
    expect(replays).toBe(1);
  });

  it("answers errors in the envelope, with the procedure's code and the input's field errors", async () => {
    expect(await call("/v2/notes?limit=9&after=soon")).toMatchObject({
      status: 400,
      body: {
        error: {
          code: "BAD_REQUEST",
          // Both issues, as /trpc words them (describeIssues): one summary for both surfaces.
          message: expect.stringMatching(/^Invalid input — limit: .+; after: .+$/),
          fieldErrors: { limit: [expect.any(String)], after: [expect.any(String)] },
        },
      },
    });
    expect(await call(`/v2/notes/${id.replace("0b", "ff")}`)).toEqual({
      status: 404,
      headers: expect.anything(),
      body: { error: { code: "NOT_FOUND", message: "No such note.", fieldErrors: {} } },
    });
    const wrongMethod = await call("/v2/notes/featured", { method: "POST" });
    expect(wrongMethod.status).toBe(405);
    // Both routes the path matches are GET and PUT.
    expect(wrongMethod.headers.get("allow")).toBe("GET, PUT");
    expect((await call("/v2/internal")).status).toBe(404);
  });

  it("refuses a request target no URL parser reads with 400, not a failure", async () => {
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    socket.end("GET http://[/v2/notes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let answer = "";
    for await (const chunk of socket) answer += String(chunk);
    expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
    expect(answer).toContain('"message":"The request target is not a valid URL."');
  });
});

describe("the OpenAPI document, from the same routes", () => {
  const document = openApiDocument(restOperations(router, { prefix: "/v2" }), {
    info: { title: "Notes", version: "1" },
    maxBodyBytes: 1024,
  });
  type Operation = {
    operationId: string;
    parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
    requestBody?: { content: Record<string, { schema: { $ref: string } }> };
    responses: Record<string, { description: string; content?: Record<string, { schema: { $ref: string } }> }>;
  };
  const paths = document.paths as Record<string, Record<string, Operation>>;

  it("has each route's parameters, body and answers, named by placeholder and typed by the input", () => {
    const get = paths["/v2/notes/{id}"]?.get;
    expect(get?.parameters).toEqual([
      { name: "id", in: "path", required: true, schema: expect.objectContaining({ format: "uuid" }) },
      { name: "verbose", in: "query", required: false, schema: { type: "boolean" } },
    ]);
    expect(get?.responses["200"]?.content?.["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/Note" });
    expect(Object.keys(get?.responses ?? {})).toEqual(["200", "400"]);

    const put = paths["/v2/notes/{noteId}"]?.put;
    expect(put?.operationId).toBe("nested.editNote");
    expect(put?.parameters?.map((p) => `${p.in} ${p.name}`)).toEqual(["path noteId", "header Idempotency-Key"]);
    const body = put?.requestBody?.content["application/json"]?.schema.$ref ?? "";
    const bodySchema = (document.components.schemas as Record<string, { properties: object; required: string[] }>)[
      body.replace("#/components/schemas/", "")
    ];
    // What the path carries is not asked for again in the body.
    expect(Object.keys(bodySchema?.properties ?? {})).toEqual(["text"]);
    expect(bodySchema?.required).toEqual(["text"]);
    expect(Object.keys(put?.responses ?? {})).toEqual(["200", "201", "400", "403", "409", "413", "415", "422"]);
    expect(put?.responses["409"]?.description).toBe(
      "Edited by someone else, or a request with the same Idempotency-Key is still running",
    );
  });
});

describe("routes that cannot work stop the start, naming the procedure", () => {
  const build = (procedures: Parameters<typeof t.router>[0]) => () =>
    restOperations(t.router(procedures), { prefix: "/v2" });
  const stub = () => "";

  it("a placeholder that fills no input field", () => {
    // The helper refuses it as it compiles; a route written around it is refused at start.
    const route = restRoute(noteInput, { method: "GET", path: "/notes/{id}", params: { id: "noteId" } });
    const wrong = { ...route, params: { id: "nope" } };
    expect(build({ getNote: t.procedure.input(noteInput).meta({ rest: wrong }).query(stub) })).toThrow(
      'REST route of getNote: path parameter {id} of GET /notes/{id} fills the input field "nope", which its input does not have (fields: noteId, verbose).',
    );
  });

  it("a route checked against another schema than the procedure's input", () => {
    const rest = restRoute(editInput, { method: "GET", path: "/notes/{noteId}" });
    expect(build({ getNote: t.procedure.input(noteInput).meta({ rest }).query(stub) })).toThrow(
      "REST route of getNote: restRoute() was given a schema that is not the procedure's .input().",
    );
  });

  it("metadata not made by restRoute, two procedures on one route, an object in a query string", () => {
    const plain = { method: "GET", path: "/notes" } as unknown as RestRoute;
    expect(build({ a: t.procedure.meta({ rest: plain }).query(stub) })).toThrow(/meta.rest must be made by restRoute/);
    const rest = restRoute(undefined, { method: "GET", path: "/notes" });
    expect(build({ a: t.procedure.meta({ rest }).query(stub), b: t.procedure.meta({ rest }).query(stub) })).toThrow(
      "REST route of b: GET /v2/notes is already the route of a.",
    );
    const nested = z.object({ filter: z.object({ tag: z.string() }) });
    expect(
      build({
        a: t.procedure
          .input(nested)
          .meta({ rest: restRoute(nested, { method: "GET", path: "/x" }) })
          .query(stub),
      }),
    ).toThrow('REST route of a: input field "filter" is an object, which a query string cannot carry; use POST.');
  });

  it("does not compile with a placeholder the input lacks", () => {
    // Each line below is a compile error, asserted by the type check (`npm run typecheck`).
    // @ts-expect-error {id} names no field of noteInput and is mapped to none
    restRoute(noteInput, { method: "GET", path: "/notes/{id}" });
    // @ts-expect-error mapped to a field noteInput does not have
    restRoute(noteInput, { method: "GET", path: "/notes/{id}", params: { id: "nope" } });
    // @ts-expect-error params names a placeholder the path does not have
    restRoute(noteInput, { method: "GET", path: "/notes/{noteId}", params: { other: "noteId" } });
    expect(restRoute(noteInput, { method: "GET", path: "/notes/{noteId}" }).path).toBe("/notes/{noteId}");
  });
});
