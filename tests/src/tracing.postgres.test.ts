import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventId, repoRoot } from "@ticketing/db";
import { createScratchPostgres, type ScratchDatabase } from "@ticketing/db/testing";
import {
  ancestorsOf,
  childrenOf,
  type OtlpReceiver,
  type ReceivedSpan,
  SPAN_KIND,
  startOtlpReceiver,
} from "@ticketing/rpc/otlp-receiver";
import { postgresAvailable } from "@ticketing/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor } from "./support/client";
import { runScript, type ServerProcess, startServerProcess } from "./support/process";

// One trace per operation across processes, as a collector receives it: the server exports
// protobuf and the worker JSON, both to a real OTLP/HTTP endpoint that decodes them.

const WORKER_TOKEN = "tracing-test-worker-token";
const pg = await postgresAvailable();

/** Every attribute value of every span and event, as text: where a leaked value would show. */
function recordedText(spans: readonly ReceivedSpan[]): string {
  return JSON.stringify(spans.map((span) => [span.name, span.attributes, span.events, span.status]));
}

const isStatement = (span: ReceivedSpan) => span.kind === SPAN_KIND.client && span.name.startsWith("pg.query:");

function serverSpan(spans: readonly ReceivedSpan[], procedure: string, where: (span: ReceivedSpan) => boolean) {
  return spans.filter(
    (span) =>
      span.resource["service.name"] === "ticketing-server" &&
      span.kind === SPAN_KIND.server &&
      span.name === procedure &&
      where(span),
  );
}

describe.runIf(pg)("traces exported over OTLP (server on PostgreSQL, worker)", () => {
  let receiver: OtlpReceiver;
  let scratch: ScratchDatabase;
  let server: ServerProcess;
  const outbox = mkdtempSync(join(tmpdir(), "ticketing-trace-outbox-"));

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    scratch = await createScratchPostgres();
    const seed = runScript("packages/db/src/cli/seed.ts", { DATABASE_URL: scratch.url });
    expect(await seed.exited).toBe(0);
    server = await startServerProcess({
      DATABASE_URL: scratch.url,
      WORKER_TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      // Export every 100 ms instead of every 5 s: the test reads the spans as they land.
      OTEL_BSP_SCHEDULE_DELAY: "100",
    });
  });

  afterAll(async () => {
    await server?.stop();
    await scratch?.drop();
    await receiver?.close();
    rmSync(outbox, { recursive: true, force: true });
  });

  it("records a booking as one tree: the call's server span, its statements below it, no parameter values", async () => {
    const password = "demo-password";
    const session = await clientFor(server.url).signIn.mutate({ email: "alice@example.com", password });
    const client = clientFor(server.url, session.token);
    const idempotencyKey = `trace-${randomUUID()}`;
    const request = { eventId: eventId("lena-park"), quantity: 2, idempotencyKey };
    const booking = await client.createBooking.mutate(request);
    const replay = await client.createBooking.mutate(request);
    expect(replay.id).toBe(booking.id);

    const spans = await receiver.waitFor(
      (received) =>
        serverSpan(received, "createBooking", () => true).length === 2 &&
        received.some((span) => span.name === "publish seat_changes") &&
        received.some((span) => isStatement(span) && span.name.startsWith("pg.query:INSERT")),
    );
    const [first, second] = serverSpan(spans, "createBooking", () => true);
    if (!first || !second) throw new Error("two createBooking spans were awaited");
    // Both calls may carry events (a mutation empties the event cache); the replay says so.
    const replays = (span: typeof first) => span.events.some((event) => event.name === "idempotency replay");
    const [original, replayed] = replays(first) ? [second, first] : [first, second];
    expect(replays(original)).toBe(false);

    expect(original).toMatchObject({
      encoding: "protobuf",
      parentSpanId: "",
      attributes: {
        "rpc.system": "trpc",
        "rpc.method": "createBooking",
        "rpc.trpc.procedure_type": "mutation",
        "rpc.trpc.code": "OK",
        "http.response.status_code": 200,
      },
    });
    expect(replayed.events.map((event) => event.name)).toContain("idempotency replay");
    // The commit's NOTIFY to every instance: a producer span under the original call.
    const publish = spans.find((span) => span.name === "publish seat_changes" && span.parentSpanId === original.spanId);
    expect(publish).toMatchObject({ kind: SPAN_KIND.producer, attributes: { "messaging.system": "postgresql" } });

    // The statements of the booking: each a client span in the call's trace, under its span.
    const statements = spans.filter(
      (span) => isStatement(span) && ancestorsOf(spans, span).some((ancestor) => ancestor === original),
    );
    expect(statements.length).toBeGreaterThanOrEqual(3);
    expect(statements.map((span) => span.name)).toContain(`pg.query:INSERT ${new URL(scratch.url).pathname.slice(1)}`);
    for (const statement of statements) {
      expect(statement.traceId).toBe(original.traceId);
      expect(statement.attributes["db.system.name"]).toBe("postgresql");
      expect(statement.attributes["db.query.text"]).toEqual(expect.any(String));
      expect(statement.attributes).not.toHaveProperty("db.postgresql.values");
    }
    // The statements that write the booking name their values as parameters.
    expect(statements.some((span) => String(span.attributes["db.query.text"]).includes("$1"))).toBe(true);

    const text = recordedText(spans);
    for (const secret of [idempotencyKey, session.token, password, booking.id, ...booking.seats.map((s) => s.seatId)]) {
      expect(text).not.toContain(secret);
    }
  });

  it("continues the caller's trace, tells a caller's mistake from a failure, and traces refused requests", async () => {
    const traceId = randomUUID().replaceAll("-", "");
    const parentSpanId = "00f067aa0ba902b7";
    const traceparent = `00-${traceId}-${parentSpanId}-01`;
    const input = encodeURIComponent(JSON.stringify({ json: { eventId: randomUUID() } }));
    const missing = await fetch(`${server.url}/trpc/getEvent?input=${input}`, { headers: { traceparent } });
    expect(missing.status).toBe(404);
    const refused = await fetch(`${server.url}/trpc/getEvent?input=${input}`, {
      headers: { traceparent, "rpc-timeout-ms": "soon" },
    });
    expect(refused.status).toBe(400);

    const spans = await receiver.waitFor(
      (received) => received.filter((span) => span.traceId === traceId && span.kind === SPAN_KIND.server).length === 2,
    );
    const [call] = serverSpan(spans, "getEvent", (span) => span.traceId === traceId);
    // A 4xx is the caller's mistake: recorded with its code, not marked as the server's failure.
    expect(call).toMatchObject({
      parentSpanId,
      attributes: { "rpc.trpc.code": "NOT_FOUND", "http.response.status_code": 404, "error.type": "NOT_FOUND" },
      status: { code: 0 },
    });
    const refusal = spans.find((span) => span.traceId === traceId && span.name === "GET refused");
    expect(refusal).toMatchObject({
      parentSpanId,
      attributes: { "http.response.status_code": 400, "error.type": "bad_deadline", "url.path": "/trpc/getEvent" },
    });
  });

  it("records a worker job run as the root of its calls, across the process boundary", async () => {
    // A confirmed booking puts an email in the outbox, for the notifications job to deliver.
    const session = await clientFor(server.url).signIn.mutate({ email: "bob@example.com", password: "demo-password" });
    const client = clientFor(server.url, session.token);
    const held = await client.createBooking.mutate({ eventId: eventId("lena-park"), quantity: 1 });
    await client.confirmBooking.mutate({ bookingId: held.id, paymentToken: "tok_visa" });

    const worker = spawn(process.execPath, ["--import", "tsx", join(repoRoot(), "apps/worker/src/main.ts"), "--once"], {
      cwd: repoRoot(),
      env: {
        ...process.env,
        API_URL: server.url,
        WORKER_TOKEN,
        WORKER_OUTBOX_DIR: outbox,
        LOG_LEVEL: "warn",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=test",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    worker.stdout.on("data", (chunk) => {
      output += chunk;
    });
    worker.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => worker.once("exit", resolve));
    expect(code, output).toBe(0);

    // The worker flushes its spans before it exits; the server's come within its export delay.
    const jobOf = (received: readonly ReceivedSpan[]) =>
      received.find(
        (span) => span.resource["service.name"] === "ticketing-worker" && span.name === "job notifications",
      );
    const spans = await receiver.waitFor((received) => {
      const job = jobOf(received);
      return job !== undefined && serverSpan(received, "ackNotifications", (s) => s.traceId === job.traceId).length > 0;
    });
    const job = jobOf(spans);
    if (!job) throw new Error("the job's span was awaited");
    expect(job).toMatchObject({
      encoding: "json",
      parentSpanId: "",
      attributes: { "ticketing.job": "notifications" },
      resource: { "deployment.environment.name": "test" },
    });

    // Its calls, answered by the server process, are its children in the same trace.
    const calls = childrenOf(spans, job).filter((span) => span.resource["service.name"] === "ticketing-server");
    expect(calls.map((span) => span.name)).toEqual(expect.arrayContaining(["claimNotifications", "ackNotifications"]));
    for (const call of calls) {
      expect(call.kind).toBe(SPAN_KIND.server);
      expect(call.attributes["rpc.trpc.code"]).toBe("OK");
      const statements = childrenOf(spans, call).filter(isStatement);
      expect(statements.length, `statements under ${call.name}`).toBeGreaterThan(0);
    }

    // Each job ran in a trace of its own.
    const holds = spans.find((span) => span.name === "job holds");
    expect(holds?.parentSpanId).toBe("");
    expect(holds?.traceId).not.toBe(job.traceId);
    expect(
      spans.some((span) => span.name === "releaseExpiredHolds" && holds && span.parentSpanId === holds.spanId),
    ).toBe(true);
    expect(recordedText(spans)).not.toContain(WORKER_TOKEN);
  });
});
