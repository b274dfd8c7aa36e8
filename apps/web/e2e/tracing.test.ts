import {
  ancestorsOf,
  type OtlpReceiver,
  type ReceivedSpan,
  SPAN_KIND,
  startOtlpReceiver,
} from "@ticketing/rpc/otlp-receiver";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openEvent, seat, signIn } from "./support/browser";
import { type Stack, startStack } from "./support/servers";

// A booking made in the browser, as a collector sees it: the web app's request span at the
// root, the API's call below it (another process), and the call's statements below that.
// The web app exports OTLP/JSON and the API protobuf, to one real OTLP/HTTP receiver.

let receiver: OtlpReceiver;
let stack: Stack;
let browser: Browser;

const otlp = (protocol: string) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  // Export every 100 ms instead of every 5 s: the test reads the spans as they land.
  OTEL_BSP_SCHEDULE_DELAY: "100",
});

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startStack({ apiEnv: otlp("http/protobuf"), webEnv: otlp("http/json") });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await receiver?.close();
});

const service = (span: ReceivedSpan) => span.resource["service.name"];
const callSpans = (spans: readonly ReceivedSpan[], procedure: string) =>
  spans.filter(
    (span) => service(span) === "ticketing-server" && span.kind === SPAN_KIND.server && span.name === procedure,
  );
/** The call's chain up to its trace's root runs through the web app's spans, root included. */
const servedThroughWeb = (spans: readonly ReceivedSpan[], call: ReceivedSpan) => {
  const chain = ancestorsOf(spans, call);
  const root = chain.at(-1);
  return chain.length > 0 && chain.every((span) => service(span) === "ticketing-web") && root?.parentSpanId === ""
    ? root
    : undefined;
};

describe("tracing through the web app", () => {
  it("shows a browser booking as one tree: web request → API call → SQL statements", async () => {
    const context = await browser.newContext({ baseURL: stack.webUrl });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    // What the browser sent: the key of the intent and the seats, inside the call's input.
    let sent: { idempotencyKey?: string; seatIds?: string[] } = {};
    page.on("request", (request) => {
      if (request.url().includes("/api/trpc/createBooking")) {
        sent = (request.postDataJSON() as { json: typeof sent }).json;
      }
    });

    await signIn(page, "alice@example.com");
    await openEvent(page, "City Lights Indie Fest");
    await (await seat(page, "101", "C", 5)).click();
    await page.getByRole("button", { name: "Book 1 seat" }).click();
    await page.waitForURL(/\/checkout\//);
    const bookingId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    const session = (await context.cookies()).find((cookie) => cookie.name === "session")?.value;
    await context.close();
    const { idempotencyKey, seatIds = [] } = sent;
    expect(idempotencyKey).toEqual(expect.any(String));
    expect(seatIds).toHaveLength(1);
    expect(session).toEqual(expect.any(String));

    const spans = await receiver.waitFor((received) =>
      callSpans(received, "createBooking").some(
        (call) =>
          servedThroughWeb(received, call) !== undefined &&
          received.some((span) => span.parentSpanId === call.spanId && span.name.startsWith("pglite.query:")) &&
          received.some((span) => span.name === "publish seat_changes" && span.parentSpanId === call.spanId),
      ),
    );

    // The API's call: a server span with the tRPC outcome, child of the web app's proxy hop.
    const [booking] = callSpans(spans, "createBooking");
    if (!booking) throw new Error("a createBooking span was awaited");
    expect(booking).toMatchObject({
      encoding: "protobuf",
      attributes: {
        "rpc.system": "trpc",
        "rpc.method": "createBooking",
        "rpc.trpc.code": "OK",
        "http.response.status_code": 200,
      },
    });
    const root = servedThroughWeb(spans, booking);
    expect(root).toMatchObject({ encoding: "json", kind: SPAN_KIND.server });
    expect(root?.name).toContain("/api/trpc");
    const parent = ancestorsOf(spans, booking)[0];
    expect(parent?.traceId).toBe(booking.traceId);

    // Its statements: client spans on the embedded PostgreSQL, values sent as parameters.
    const statements = spans.filter(
      (span) => span.name.startsWith("pglite.query:") && ancestorsOf(spans, span).includes(booking),
    );
    expect(statements.length).toBeGreaterThanOrEqual(3);
    expect(statements.map((span) => span.name)).toContain("pglite.query:INSERT");
    for (const statement of statements) {
      expect(statement).toMatchObject({ kind: SPAN_KIND.client, traceId: booking.traceId });
      expect(statement.attributes["db.system.name"]).toBe("postgresql");
    }
    expect(statements.some((span) => String(span.attributes["db.query.text"]).includes("$1"))).toBe(true);

    // The commit's NOTIFY, which tells every instance's live seat maps: a producer span
    // under the call, with the sequencing statements below it.
    const publish = spans.find((span) => span.name === "publish seat_changes" && span.parentSpanId === booking.spanId);
    expect(publish).toMatchObject({
      kind: SPAN_KIND.producer,
      attributes: { "messaging.system": "postgresql", "messaging.destination.name": "seat_changes" },
    });
    expect(
      spans.some((span) => publish && span.parentSpanId === publish.spanId && span.name.startsWith("pglite.")),
    ).toBe(true);

    // getEvent's reads went through the cache: an event on the call's span each, hit or miss;
    // a miss's load is a span under that call, with its statements below it.
    const eventCalls = callSpans(spans, "getEvent");
    const cacheReads = eventCalls.flatMap((call) => call.events.filter((event) => event.name === "event cache get"));
    expect(cacheReads.length).toBeGreaterThan(0);
    for (const read of cacheReads) expect(read.attributes["cache.hit"]).toEqual(expect.any(Boolean));
    const missed = eventCalls.find((call) =>
      call.events.some((event) => event.name === "event cache get" && event.attributes["cache.hit"] === false),
    );
    const load = spans.find(
      (span) => missed && span.name === "event cache load" && span.parentSpanId === missed.spanId,
    );
    expect(load).toMatchObject({ kind: SPAN_KIND.internal, attributes: { "cache.key": "getEvent" } });
    expect(spans.some((span) => load && span.parentSpanId === load.spanId && span.name.startsWith("pglite."))).toBe(
      true,
    );

    // Nothing the visitor sent, and nothing the booking is, is written into the API's spans.
    const recorded = JSON.stringify(
      spans
        .filter((span) => service(span) === "ticketing-server")
        .map((span) => [span.name, span.attributes, span.events]),
    );
    for (const secret of [idempotencyKey, session, bookingId, ...seatIds, "demo-password", "alice@example.com"]) {
      expect(recorded).not.toContain(secret);
    }
    // Nor the session anywhere in the web app's.
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain(session);

    // A server-rendered page's prefetches are calls in the page request's trace too.
    const prefetches = callSpans(spans, "getEvent").filter((call) => servedThroughWeb(spans, call));
    expect(prefetches.map((call) => servedThroughWeb(spans, call)?.name)).toContainEqual(
      expect.stringContaining("/events/"),
    );
  });
});
