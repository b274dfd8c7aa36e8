import fc from "fast-check";

/** Ids the fuzzer mixes into inputs, so some calls reach real rows and go past validation. */
export interface KnownIds {
  eventIds: string[];
  bookingIds: string[];
  userIds: string[];
  seatIds: string[];
}

export type Caller = "anonymous" | "customer" | "organizer" | "admin" | "service" | "forged";

export interface FuzzRequest {
  /** What the request is, for the report of a failing one. */
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  caller: Caller;
  [fc.toStringMethod]: () => string;
}

const FIELDS = [
  "eventId",
  "bookingId",
  "seatIds",
  "quantity",
  "idempotencyKey",
  "paymentToken",
  "email",
  "password",
  "name",
  "query",
  "status",
  "cursor",
  "limit",
  "section",
  "lastEventId",
  "userId",
  "resource",
  "action",
  "externalId",
  "venue",
  "startsAt",
  "description",
  "ids",
  "leaseId",
  "leaseSeconds",
  "retentionMinutes",
] as const;

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE bookings; --",
  "1; SELECT pg_sleep(10)",
  "\\'; COPY users TO '/tmp/x'; --",
  "%' OR 1=1 --",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "{{7*7}}#{7*7}",
  "../../../../etc/passwd",
  "\u0000",
  "\ud800",
  "\u202e",
  "𝕏😀",
  "NaN",
  "-0",
  "1e309",
  "__proto__",
  "constructor",
];

const PROTO_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];

/** Values of every kind: right and wrong types, known ids, injections, huge strings. */
export function values(known: KnownIds) {
  const id = fc.constantFrom(...known.eventIds, ...known.bookingIds, ...known.userIds, ...known.seatIds);
  const leaf = fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
    { weight: 3, arbitrary: fc.integer({ min: -5, max: 200 }) },
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
    { weight: 3, arbitrary: id },
    fc.uuid(),
    fc.constantFrom("on_sale", "scheduled", "read", "book", "cancel", "manage", "admin", "tok_visa", "tok_decline"),
    id.map((value) => `event:${value}`),
    id.map((value) => `booking:${value}`),
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc.emailAddress(),
    { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 100_000 }).map((length) => "x".repeat(length)) },
  );
  const key = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...FIELDS) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    fc.constantFrom(...PROTO_KEYS),
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", maxDepth: 4 },
      { weight: 5, arbitrary: leaf },
      fc.array(tie("value"), { maxLength: 6 }),
      fc.dictionary(key, tie("value"), { maxKeys: 6 }),
    ),
  }));
  return { value, key, leaf };
}

/** A JSON text, built by hand so keys such as __proto__ are sent as they are spelled. */
export function toJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(toJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.getOwnPropertyNames(value).map(
      (name) => `${JSON.stringify(name)}:${toJson((value as Record<string, unknown>)[name])}`,
    );
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** An input for a procedure: plausible fields with any values, or anything at all. */
function inputs(known: KnownIds) {
  const { value, key } = values(known);
  const fields = fc
    .array(fc.tuple(key, value), { maxLength: 6 })
    .map((pairs) => `{${pairs.map(([name, field]) => `${JSON.stringify(name)}:${toJson(field)}`).join(",")}}`);
  const deep = fc
    .tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom("[", '{"a":'))
    .map(([depth, open]) => `${open.repeat(depth)}1${(open === "[" ? "]" : "}").repeat(depth)}`);
  const input = fc.oneof(
    { weight: 6, arbitrary: fields },
    { weight: 3, arbitrary: value.map(toJson) },
    { weight: 1, arbitrary: deep },
  );
  const meta = fc
    .dictionary(
      fc.oneof(
        fc.constantFrom("eventId", "startsAt", "__proto__", "constructor.prototype", "a.b.c", "0"),
        fc.string({ maxLength: 10 }),
      ),
      fc.oneof(
        fc.constantFrom("Date", "undefined", "bigint", "regexp", "set", "map", "number", "symbol"),
        fc.constantFrom(["class", "X"], ["custom", "Y"], ["Date"], ["map", { a: ["Date"] }]),
        value,
      ),
      { maxKeys: 3 },
    )
    .map((metaValues) => toJson({ values: metaValues }));
  // The wire form: superjson's {json, meta?}, or a bare input a careless client sends.
  return fc.oneof(
    { weight: 7, arbitrary: input.map((text) => `{"json":${text}}`) },
    { weight: 2, arbitrary: input },
    { weight: 2, arbitrary: fc.tuple(input, meta).map(([text, m]) => `{"json":${text},"meta":${m}}`) },
  );
}

const INVALID_UTF8 = [0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80];
const encoder = new TextEncoder();

/** A body: JSON, broken JSON, invalid UTF-8, nothing, or more than the 1 MiB cap. */
export function bodies(json: fc.Arbitrary<string>) {
  return fc.oneof(
    { weight: 12, arbitrary: json.map((text) => encoder.encode(text)) },
    {
      weight: 2,
      arbitrary: fc.tuple(json, fc.nat()).map(([text, cut]) => encoder.encode(text.slice(0, cut % (text.length + 1)))),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(json, fc.nat()).map(([text, at]) => {
        const bytes = encoder.encode(text);
        const split = at % (bytes.length + 1);
        return Uint8Array.from([...bytes.subarray(0, split), ...INVALID_UTF8, ...bytes.subarray(split)]);
      }),
    },
    fc.constant(new Uint8Array()),
    fc.uint8Array({ maxLength: 64 }),
    { weight: 1, arbitrary: fc.integer({ min: 1_048_577, max: 1_300_000 }).map((size) => oversized(size)) },
  );
}

function oversized(size: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(0x61);
  bytes.set(encoder.encode('{"json":{"eventId":"'));
  bytes.set(encoder.encode('"}}'), size - 3);
  return bytes;
}

export const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/json; charset=utf-16",
  "text/plain",
  "text/plain; charset=utf-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=----fuzz",
  "application/xml",
  "application/jsonx",
  "",
];

export type PlainRequest = Omit<FuzzRequest, typeof fc.toStringMethod>;

/** How a request shows in a failure report: its label and the start of its path and body. */
function describe(request: PlainRequest): string {
  const body = request.body ? ` body ${JSON.stringify(new TextDecoder().decode(request.body.subarray(0, 300)))}` : "";
  return `${request.label} as ${request.caller}: ${request.path.slice(0, 300)} ${JSON.stringify(request.headers)}${body}`;
}

export function withDescription(request: PlainRequest): FuzzRequest {
  return { ...request, [fc.toStringMethod]: () => describe(request) };
}

/** Generated HTTP requests to /trpc: every procedure, both methods, batches, odd paths and headers. */
export function fuzzRequests(
  kinds: Record<string, "query" | "mutation" | "subscription">,
  known: KnownIds,
): fc.Arbitrary<FuzzRequest> {
  const procedures = Object.keys(kinds);
  const json = inputs(known);
  const procedure = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...procedures) },
    fc.constantFrom("", "__proto__", "constructor", "toString", "noSuchProcedure", "getEvent.", "a/b", "%2e%2e", "%FF"),
  );
  const caller = fc.constantFrom<Caller>(
    "anonymous",
    "anonymous",
    "customer",
    "organizer",
    "admin",
    "service",
    "forged",
  );
  const extraHeaders = fc.record(
    {
      "rpc-timeout-ms": fc.oneof(
        fc.constantFrom("0", "-1", "1e3", "ten", "99999999999", ""),
        fc.nat(70_000).map(String),
      ),
      "idempotency-key": fc.oneof(
        fc.string({ maxLength: 140 }),
        fc.constantFrom("short", "k".repeat(200), "ok-key-12345"),
      ),
      "x-request-id": fc.string({ maxLength: 200 }),
      origin: fc.constantFrom("https://evil.example", "null", "http://localhost:3000"),
      "sec-fetch-site": fc.constantFrom("cross-site", "same-site", "same-origin", "none"),
      cookie: fc.oneof(
        fc.constantFrom("session=%E0%A4%A", "session=", "session=%", "session==;session=x"),
        fc.string({ maxLength: 40 }).map((v) => `session=${v}`),
      ),
      traceparent: fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constant("00-00000000000000000000000000000000-0000000000000000-00"),
      ),
    },
    { requiredKeys: [] },
  );
  // Header values must be sendable: Latin-1 without CR, LF or NUL.
  // Odd headers on one request in four, so that most requests reach the procedures.
  const headers = fc.oneof(
    { weight: 3, arbitrary: fc.constant({}) },
    extraHeaders.map((all) =>
      Object.fromEntries(Object.entries(all).map(([name, v]) => [name, v.replace(/[^\x20-\x7e]/g, "?")])),
    ),
  );
  const queryString = fc.oneof(
    { weight: 8, arbitrary: json.map((text) => `input=${encodeURIComponent(text)}`) },
    fc.constantFrom("input=%E0%A4%A", "input=%FF%FE%FD", "input=%", "input=", "input=%7B", "input&input=1", ""),
    { weight: 1, arbitrary: fc.integer({ min: 17_000, max: 40_000 }).map((length) => `input=${"a".repeat(length)}`) },
  );

  const single = fc
    .record({
      procedure,
      caller,
      headers,
      // Mostly the method the procedure takes (queries and subscriptions GET, mutations POST).
      rightMethod: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
      query: queryString,
      body: bodies(json),
      type: fc.oneof(
        { weight: 3, arbitrary: fc.constant("application/json") },
        { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
      ),
    })
    .map(({ procedure: name, caller: who, headers: extra, rightMethod, query, body, type }): PlainRequest => {
      const get = (kinds[name] === "mutation") !== rightMethod;
      const method = get ? "GET" : "POST";
      if (method === "GET") {
        return { label: `GET ${name}`, method, path: `/trpc/${name}?${query}`, headers: extra, caller: who };
      }
      const contentType: Record<string, string> = type ? { "content-type": type } : {};
      return {
        label: `POST ${name} (${type || "no type"}, ${body.length} bytes)`,
        method,
        path: `/trpc/${name}`,
        headers: { ...extra, ...contentType },
        body,
        caller: who,
      };
    });

  const batch = fc
    .record({
      names: fc.array(fc.constantFrom(...procedures), { minLength: 1, maxLength: 60 }),
      inputs: fc.array(json, { maxLength: 8 }),
      caller,
      method: fc.constantFrom("GET", "POST"),
      asArray: fc.boolean(),
    })
    .map(({ names, inputs: given, caller: who, method, asArray }): PlainRequest => {
      const entries = names.map((_, i) => given[i % Math.max(1, given.length)] ?? "{}");
      const all = asArray ? `[${entries.join(",")}]` : `{${entries.map((text, i) => `"${i}":${text}`).join(",")}}`;
      const path = `/trpc/${names.join(",")}?batch=1`;
      const label = `${method} batch of ${names.length}`;
      return method === "GET"
        ? { label, method, path: `${path}&input=${encodeURIComponent(all)}`, headers: {}, caller: who }
        : {
            label,
            method,
            path,
            headers: { "content-type": "application/json" },
            body: encoder.encode(all),
            caller: who,
          };
    });

  const otherMethod = fc
    .record({ procedure, caller, method: fc.constantFrom("PUT", "PATCH", "DELETE", "OPTIONS") })
    .map(
      ({ procedure: name, caller: who, method }): PlainRequest => ({
        label: `${method} ${name}`,
        method,
        path: `/trpc/${name}`,
        headers: {},
        caller: who,
      }),
    );

  return fc
    .oneof({ weight: 14, arbitrary: single }, { weight: 4, arbitrary: batch }, { weight: 1, arbitrary: otherMethod })
    .map(withDescription);
}
