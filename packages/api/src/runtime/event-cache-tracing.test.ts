import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { type OtlpReceiver, type ReceivedSpan, SPAN_KIND, startOtlpReceiver } from "@ticketing/rpc/otlp-receiver";
import { endCallSpan, startCallSpan } from "@ticketing/rpc/server";
import { startTracing, type Tracing } from "@ticketing/rpc/tracing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Cached, createEventCache } from "./event-cache";
import { CACHE_LOAD_SPAN, CACHE_READ_EVENT, traceEventCache } from "./event-cache-tracing";

// The traced cache with the real SDK exporting to a real OTLP receiver: what a collector sees
// of cache reads inside calls.

let receiver: OtlpReceiver;
let tracing: Tracing;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url);
  vi.stubEnv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
  vi.stubEnv("OTEL_TRACES_SAMPLER", "always_on");
  const started = await startTracing({ serviceName: "event-cache-test" });
  if (!started) throw new Error("tracing was expected to start");
  tracing = started;
});

afterAll(async () => {
  await receiver?.close();
  vi.unstubAllEnvs();
});

const statements = trace.getTracer("event-cache-test");
const event = (name: string): Cached<{ name: string }> => ({ value: { name }, changesAt: null });

/** Runs `work` as a call: its own server span, active while it runs; resolves with the span's id. */
async function inCall(name: string, work: () => Promise<unknown>): Promise<string> {
  const call = startCallSpan(ROOT_CONTEXT, name, "query");
  await context.with(call.traceContext, work);
  endCallSpan(call.span, undefined, 200);
  return call.span.spanContext().spanId;
}

describe("the traced event cache", () => {
  it("records each read as an event on the caller's span, and a miss's load as a span around its statements", async () => {
    const cache = traceEventCache(createEventCache());
    // The load stands in for the database: a span of its own, as a statement's would be.
    const load = (name: string) => async () => {
      statements.startSpan("statement").end();
      return event(name);
    };
    const miss = await inCall("missCall", () => cache.get("getEvent:zq-event", "zq-event", load("first")));
    const hit = await inCall("hitCall", () => cache.get("getEvent:zq-event", "zq-event", load("second")));

    // Two callers at once: the second shares the first's read in flight, which counts as a hit.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    cache.invalidate();
    const slowLoad = async () => {
      await gate;
      return event("third");
    };
    const loading = inCall("loadingCall", () => cache.get("getEvent:zq-event", "zq-event", slowLoad));
    const sharing = inCall("sharingCall", () => cache.get("getEvent:zq-event", "zq-event", load("unused")));
    release();
    const [loader, sharer] = await Promise.all([loading, sharing]);

    // Outside any call there is no span to record on: nothing is added.
    await cache.get("getEvent:zq-other", "zq-other", async () => event("untraced"));

    await tracing.shutdown();
    const spans = receiver.spans;
    const byId = (id: string) => spans.find((span) => span.spanId === id) as ReceivedSpan;
    const readsOf = (span: ReceivedSpan) => span.events.filter((e) => e.name === CACHE_READ_EVENT);
    const loadsUnder = (span: ReceivedSpan) =>
      spans.filter((s) => s.name === CACHE_LOAD_SPAN && s.parentSpanId === span.spanId);

    const missCall = byId(miss);
    expect(readsOf(missCall).map((e) => e.attributes)).toEqual([{ "cache.hit": false }]);
    const [missLoad] = loadsUnder(missCall);
    expect(missLoad).toMatchObject({ kind: SPAN_KIND.internal, traceId: missCall.traceId });
    expect(missLoad?.attributes).toEqual({ "cache.name": "event reads", "cache.key": "getEvent" });
    expect(spans.filter((s) => s.name === "statement" && s.parentSpanId === missLoad?.spanId)).toHaveLength(1);

    const hitCall = byId(hit);
    expect(readsOf(hitCall).map((e) => e.attributes["cache.hit"])).toEqual([true]);
    expect(loadsUnder(hitCall)).toEqual([]);

    expect(readsOf(byId(loader)).map((e) => e.attributes["cache.hit"])).toEqual([false]);
    expect(loadsUnder(byId(loader))).toHaveLength(1);
    expect(readsOf(byId(sharer)).map((e) => e.attributes["cache.hit"])).toEqual([true]);
    expect(loadsUnder(byId(sharer))).toEqual([]);

    // The key's event id never reaches a span; the untraced read left no span behind.
    expect(JSON.stringify(spans)).not.toContain("zq-");
    expect(spans.filter((s) => s.name === CACHE_LOAD_SPAN)).toHaveLength(2);
    expect(spans.filter((s) => s.name === "statement")).toHaveLength(1);
  });
});
