import { context as otelContext, ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { createRpcClient } from "@ticketing/rpc/client";
import superjson from "superjson";
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, startTestServer, type TestRouter, type TestServer } from "./testing";

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function serve(...args: Parameters<typeof startTestServer>) {
  const server = await startTestServer(...args);
  servers.push(server);
  return server;
}
const clientOf = (server: TestServer) =>
  createRpcClient<TestRouter>({ servers: server.url, transformer: superjson, retry: { maxAttempts: 1 } });

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe("call logs", () => {
  it("write one line per call: request id, procedure, code, duration — and no input", async () => {
    const server = await serve();
    const response = await fetch(`${server.url}/trpc/charge`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-12345", "idempotency-key": "k-12345678" },
      body: JSON.stringify({ json: { amount: 4242 } }),
    });
    expect(response.headers.get("x-request-id")).toBe("req-12345");
    await fetch(`${server.url}/trpc/fail`, { headers: { "x-request-id": "req-failing" } });
    expect(server.app.logs).toEqual([
      {
        level: "info",
        requestId: "req-12345",
        traceId: undefined,
        procedure: "charge",
        type: "mutation",
        code: "OK",
        status: 200,
        ms: expect.any(Number),
      },
      expect.objectContaining({ level: "error", requestId: "req-failing", code: "INTERNAL_SERVER_ERROR", status: 500 }),
    ]);
    expect(JSON.stringify(server.app.logs)).not.toContain("4242");
  });

  it("carry the trace id of an incoming traceparent", async () => {
    const server = await serve();
    await fetch(`${server.url}/trpc/ping`, { headers: { traceparent: PARENT } });
    expect(server.app.logs[0]).toMatchObject({ procedure: "ping", traceId: TRACE_ID });
    await fetch(`${server.url}/trpc/ping`, { headers: { traceparent: "00-garbage" } });
    expect(server.app.logs[1]).toMatchObject({ procedure: "ping", traceId: undefined });
  });
});

describe("trace context", () => {
  it("is passed on by the client: from the active context, or one a server hands to a nested hop", async () => {
    const server = await serve();
    const client = clientOf(server);
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: "00f067aa0ba902b7",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    await client.ping.query(undefined, { context: { traceContext: parent } });
    expect(server.seen[0]?.traceparent).toBe(PARENT);
    // A process with an OpenTelemetry SDK has a context manager; this is the one the SDK uses.
    const manager = new AsyncLocalStorageContextManager().enable();
    otelContext.setGlobalContextManager(manager);
    try {
      await otelContext.with(parent, () => client.ping.query());
    } finally {
      otelContext.disable();
    }
    expect(server.app.logs.map((line) => line.traceId)).toEqual([TRACE_ID, TRACE_ID]);
    await client.ping.query();
    expect(server.seen[2]?.traceparent).toBeUndefined();
  });
});

describe("metrics", () => {
  it("count calls per procedure and outcome, time them, and count refused requests", async () => {
    const server = await serve();
    const client = clientOf(server);
    await client.ping.query();
    await client.ping.query();
    await client.fail.query().catch(() => {});
    await fetch(`${server.url}/trpc/ping`, { headers: { "rpc-timeout-ms": "soon" } });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('rpc_calls_total{procedure="ping",type="query",code="OK"} 2');
    expect(text).toContain('rpc_calls_total{procedure="fail",type="query",code="INTERNAL_SERVER_ERROR"} 1');
    expect(text).toContain('rpc_call_duration_seconds_count{procedure="ping",type="query"} 2');
    expect(text).toMatch(/rpc_call_duration_seconds_bucket\{le="0.005",procedure="ping",type="query"\} \d/);
    expect(text).toContain('rpc_http_rejections_total{reason="bad_deadline"} 1');
  });
});

describe("rate limits", () => {
  it("answer TOO_MANY_REQUESTS with Retry-After, per procedure key", async () => {
    const server = await serve({ app: createTestApp({ limitPerSecond: 2 }) });
    const call = () => fetch(`${server.url}/trpc/limited`);
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(await limited.json()).toMatchObject({
      error: { json: { message: "Too many test calls; try again in 1 s.", data: { code: "TOO_MANY_REQUESTS" } } },
    });
  });

  it("answer TOO_MANY_REQUESTS per client before any call runs, counting every call of a batch", async () => {
    const server = await serve({ ipLimitPerSecond: 3 });
    const batch = await fetch(`${server.url}/trpc/ping,ping,ping?batch=1&input=${encodeURIComponent("{}")}`);
    expect(batch.status).toBe(200);
    const over = await fetch(`${server.url}/trpc/ping`);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await over.json()).toMatchObject({
      error: {
        json: { message: expect.stringMatching(/^Too many requests from your address; try again in \d+ s\.$/) },
      },
    });
    expect(server.app.counts.ping).toBe(3);
  });
});
