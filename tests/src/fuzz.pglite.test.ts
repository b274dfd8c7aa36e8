import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appRouter } from "@ticketing/api";
import { createTestApi } from "@ticketing/api/testing";
import { eventId, migrateDatabase, openDatabase, queryRows, seedDemo } from "@ticketing/db";
import { listProcedures } from "@ticketing/host";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyToApi } from "../../apps/web/src/lib/proxy";
import { type Caller, type FuzzRequest, fuzzRequests, type KnownIds } from "./support/fuzz";
import { type OpenApiDocument, openApiRequests } from "./support/openapi-fuzz";
import { type ServerProcess, startServerProcess } from "./support/process";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_130);
const WARM_UP_RUNS = 1_000;
const RUNS = Number(process.env.FUZZ_RUNS ?? 5_000);
const REST_RUNS = Number(process.env.FUZZ_REST_RUNS ?? 1_500);
const PROXY_RUNS = Number(process.env.FUZZ_PROXY_RUNS ?? 800);
/**
 * Memory: the server's JS heap is sampled every 250 requests after the warm-up. No GC can
 * be forced in the server process, so one sample carries tens of MB of garbage; the lowest
 * of five samples is close to the live heap. The lowest of the last five may exceed the
 * lowest of the first five by at most this much (a leak of 10 kB a request would add 50 MB
 * over the run). The server also runs with a 256 MB heap ceiling, so a fast leak kills it,
 * which the liveness checks catch.
 */
const HEAP_GROWTH_LIMIT = 32 * 1024 * 1024;
const SAMPLE_EVERY = 250;
const WORKER_TOKEN = "fuzz-test-worker-token-0123";
const TRPC_CODES = new Set([
  "PARSE_ERROR",
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "PAYMENT_REQUIRED",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_SUPPORTED",
  "TIMEOUT",
  "CONFLICT",
  "PRECONDITION_FAILED",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "UNPROCESSABLE_CONTENT",
  "PRECONDITION_REQUIRED",
  "TOO_MANY_REQUESTS",
  "CLIENT_CLOSED_REQUEST",
]);

/** What is wrong with a REST answer, or null: no 5xx, every error `{ error: { code, message, fieldErrors? } }`. */
function restProblemWith(status: number, text: string): string | null {
  if (status >= 500) return `status ${status}`;
  if (/Failed query|\n\s+at |node_modules|"stack"/.test(text)) return "internal details in the body";
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "a body that is not JSON";
  }
  if (status < 400) return null;
  const error = (body as { error?: { code?: unknown; message?: unknown; fieldErrors?: unknown } } | null)?.error;
  if (typeof error?.code !== "string" || !TRPC_CODES.has(error.code))
    return `no error code (got ${String(error?.code)})`;
  if (typeof error.message !== "string" || error.message === "") return "no error message";
  const fields = error.fieldErrors;
  if (fields !== undefined) {
    const wellFormed =
      fields !== null &&
      typeof fields === "object" &&
      Object.values(fields).every((list) => Array.isArray(list) && list.every((item) => typeof item === "string"));
    if (!wellFormed) return "fieldErrors is not an object of string lists";
  }
  return null;
}

interface Envelope {
  result?: unknown;
  // tRPC's shape (superjson), or the plain one of paths outside /trpc (a client may normalise
  // `/trpc/..` to `/`).
  error?: { code?: unknown; json?: { message?: unknown; data?: { code?: unknown } } };
}

/** What is wrong with an answer, or null: no 5xx, every 4xx a tRPC error with its code, nothing internal shown. */
function problemWith(status: number, type: string, text: string): string | null {
  if (status >= 500) return `status ${status}`;
  if (/Failed query|\n\s+at |node_modules|"stack"/.test(text)) return "internal details in the body";
  if (type.includes("text/event-stream")) return status === 200 ? null : `stream with status ${status}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return status >= 400 ? "an error without a JSON body" : null;
  }
  const envelopes = (Array.isArray(body) ? body : [body]) as Envelope[];
  for (const envelope of envelopes) {
    if (envelope?.result !== undefined && status < 400) continue;
    const code = envelope?.error?.json?.data?.code ?? envelope?.error?.code;
    if (typeof code !== "string" || !TRPC_CODES.has(code)) return `no tRPC error code (got ${String(code)})`;
  }
  return null;
}

describe("bad input against a running server (PGlite, NODE_ENV=production)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ticketing-fuzz-"));
  const databaseUrl = `pglite://${join(dir, "pglite")}`;
  let server: ServerProcess;
  let known: KnownIds;
  let tokens: Record<Caller, string | undefined>;
  // Each test signs in afresh: a run that calls signOut ends the sessions it used, and a
  // later test on the same sessions would meet UNAUTHORIZED where it means to get through.
  let sessionsOfTest: Record<"trpc" | "rest" | "proxy", Record<Caller, string | undefined>>;

  beforeAll(async () => {
    const database = await openDatabase(databaseUrl);
    try {
      await migrateDatabase(database);
      await seedDemo(database.db);
      const api = await createTestApi(database);
      const events = ["harbor-jazz", "lena-park", "city-lights", "aurora-ballet", "midnight-orchestra"].map(eventId);
      const ids = async (query: ReturnType<typeof sql>) =>
        (await queryRows<{ id: string }>(database.db, query)).map((row) => row.id);
      known = {
        eventIds: events,
        bookingIds: await ids(sql`SELECT id::text AS id FROM bookings ORDER BY id LIMIT 5`),
        userIds: await ids(sql`SELECT id::text AS id FROM users ORDER BY email LIMIT 5`),
        seatIds: await ids(sql`SELECT seat_id::text AS id FROM event_seats WHERE event_id = ${events[0]} LIMIT 5`),
      };
      const sessions = async (): Promise<Record<Caller, string | undefined>> => ({
        anonymous: undefined,
        customer: await api.tokenFor("alice@example.com"),
        organizer: await api.tokenFor("olivia@example.com"),
        admin: await api.tokenFor("admin@example.com"),
        service: WORKER_TOKEN,
        forged: "not-a-session-token-at-all",
      });
      sessionsOfTest = { trpc: await sessions(), rest: await sessions(), proxy: await sessions() };
    } finally {
      await database.close();
    }
    server = await startServerProcess({
      DATABASE_URL: databaseUrl,
      WORKER_TOKEN,
      NODE_ENV: "production",
      // Limits would answer most of the run with 429 and hide the input handling behind them.
      RATE_LIMIT_USER_PER_SECOND: "0",
      SIGN_IN_ATTEMPTS_PER_MINUTE: "0",
      SIGN_UP_ATTEMPTS_PER_MINUTE: "0",
      NODE_OPTIONS: "--max-old-space-size=256",
    });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function send(request: FuzzRequest) {
    const token = tokens[request.caller];
    const response = await fetch(`${server.url}${request.path}`, {
      method: request.method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...request.headers },
      ...(request.body && { body: request.body }),
      signal: AbortSignal.timeout(30_000),
    });
    const type = response.headers.get("content-type") ?? "";
    if (type.includes("text/event-stream")) {
      await response.body?.cancel();
      return { status: response.status, type, text: "" };
    }
    return { status: response.status, type, text: await response.text() };
  }

  /**
   * A request through the web app's /api/trpc proxy, called in-process: the route handler's
   * proxyToApi (apps/web/src/lib/proxy.ts) with a fetch Request, as Next hands it one,
   * against the real server. Running the built web app for thousands of requests would cost
   * more than the rest of this suite. The proxy forwards cookies, not Authorization: a
   * caller's session travels as the web app's cookie.
   */
  async function sendThroughProxy(request: FuzzRequest) {
    const token = tokens[request.caller];
    const headers = { ...(token && { cookie: `session=${token}` }), ...request.headers };
    const body = request.method === "GET" || !request.body ? null : request.body;
    const init: RequestInit & { duplex?: "half" } = { method: request.method, headers, body, duplex: "half" };
    const response = await proxyToApi(new Request(`http://localhost:3000/api${request.path}`, init), server.url);
    const type = response.headers.get("content-type") ?? "";
    if (type.includes("text/event-stream")) {
      await response.body?.cancel();
      return { status: response.status, type, text: "" };
    }
    return { status: response.status, type, text: await response.text() };
  }

  async function memory() {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const gauge = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, "m"))?.[1]);
    return { heapUsed: gauge("nodejs_heap_size_used_bytes"), rss: gauge("process_resident_memory_bytes") };
  }

  it(`answers ${RUNS} generated requests (after ${WARM_UP_RUNS} to warm up) with no 5xx, each error with its code, and keeps its memory`, {
    timeout: 400_000,
  }, async () => {
    tokens = sessionsOfTest.trpc;
    const kinds = Object.fromEntries(listProcedures(appRouter).map(({ name, kind }) => [name, kind]));
    const requests = fuzzRequests(kinds, known);
    const statuses: Record<number, number> = {};
    const samples: { heapUsed: number; rss: number }[] = [];
    let sampling = false;
    let sent = 0;
    const property = fc.asyncProperty(requests, async (request) => {
      const { status, type, text } = await send(request);
      statuses[status] = (statuses[status] ?? 0) + 1;
      const problem = problemWith(status, type, text);
      if (problem) throw new Error(`${request.label} → ${status}: ${problem}\n${text.slice(0, 500)}`);
      if (sampling && ++sent % SAMPLE_EVERY === 0) samples.push(await memory());
    });
    console.log(`fuzz: seed ${SEED}, ${WARM_UP_RUNS} + ${RUNS} runs (replay with FUZZ_SEED=${SEED})`);

    await fc.assert(property, { seed: SEED, numRuns: WARM_UP_RUNS });
    sampling = true;
    await fc.assert(property, { seed: SEED + 1, numRuns: RUNS });

    const lowest = (some: typeof samples) => Math.min(...some.map((sample) => sample.heapUsed));
    const early = lowest(samples.slice(0, 5));
    const late = lowest(samples.slice(-5));
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `fuzz statuses: ${JSON.stringify(statuses)}; live heap ${mb(early)} → ${mb(late)}, ` +
        `rss ${mb(samples[0]?.rss ?? 0)} → ${mb(samples.at(-1)?.rss ?? 0)}`,
    );
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    expect(samples.length).toBeGreaterThanOrEqual(10);
    expect(late - early).toBeLessThan(HEAP_GROWTH_LIMIT);
    // Every kind of answer came up: successes, refusals, validation errors, the caps.
    for (const status of [200, 400, 401, 403, 404, 413, 415]) expect(statuses[status] ?? 0).toBeGreaterThan(0);
    expect(server.output()).not.toContain('"msg":"call failed"');
  });

  it(`answers ${REST_RUNS} requests generated from its OpenAPI document with no 5xx, each error in the documented shape`, {
    timeout: 300_000,
  }, async () => {
    tokens = sessionsOfTest.rest;
    const served = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(served.status).toBe(200);
    const document = (await served.json()) as OpenApiDocument;
    const statuses: Record<number, number> = {};
    const operations = new Set<string>();
    const property = fc.asyncProperty(openApiRequests(document, known), async (request) => {
      const { status, text } = await send(request);
      statuses[status] = (statuses[status] ?? 0) + 1;
      operations.add(request.label.split(" (")[0] ?? request.label);
      const problem = restProblemWith(status, text);
      if (problem) throw new Error(`${request.label} → ${status}: ${problem}\n${text.slice(0, 500)}`);
    });
    console.log(`REST fuzz: seed ${SEED + 2}, ${REST_RUNS} runs (replay with FUZZ_SEED=${SEED})`);
    await fc.assert(property, { seed: SEED + 2, numRuns: REST_RUNS });
    console.log(`REST fuzz statuses: ${JSON.stringify(statuses)}`);
    // Every declared operation was called; valid requests got through, broken ones were refused.
    for (const [template, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(operations).toContain(`${method.toUpperCase()} ${operation?.operationId ?? template}`);
      }
    }
    for (const status of [200, 201, 400, 401, 403, 404, 405, 413, 415])
      expect(statuses[status] ?? 0).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it(`answers ${PROXY_RUNS} generated requests through the web app's /api/trpc proxy with no 5xx`, {
    timeout: 300_000,
  }, async () => {
    tokens = sessionsOfTest.proxy;
    const kinds = Object.fromEntries(listProcedures(appRouter).map(({ name, kind }) => [name, kind]));
    // The proxy's route exports GET and POST only (Next answers other methods itself).
    const requests = fuzzRequests(kinds, known).filter(
      (request) => request.method === "GET" || request.method === "POST",
    );
    const statuses: Record<number, number> = {};
    const property = fc.asyncProperty(requests, async (request) => {
      const { status, type, text } = await sendThroughProxy(request);
      statuses[status] = (statuses[status] ?? 0) + 1;
      const problem = problemWith(status, type, text);
      if (problem) throw new Error(`proxy: ${request.label} → ${status}: ${problem}\n${text.slice(0, 500)}`);
    });
    console.log(`proxy fuzz: seed ${SEED + 3}, ${PROXY_RUNS} runs (replay with FUZZ_SEED=${SEED})`);
    await fc.assert(property, { seed: SEED + 3, numRuns: PROXY_RUNS });
    console.log(`proxy fuzz statuses: ${JSON.stringify(statuses)}`);
    for (const status of [200, 400, 401, 403, 404, 413]) expect(statuses[status] ?? 0).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
