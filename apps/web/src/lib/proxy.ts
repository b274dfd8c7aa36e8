/**
 * The same-origin door from the browser to apps/server. Bodies stream through chunk by
 * chunk in both directions (a buffered body would hold back streamed batches and
 * server-sent events), and the headers that carry identity and CSRF evidence pass
 * unchanged, so the API server's own guards decide.
 *
 * X-Forwarded-For carries the visitor's address to apps/server's limits (apps/server believes
 * it because this app's address is in its TRUSTED_PROXIES). By the time a request gets here,
 * server.mjs has replaced whatever the browser sent with the one address it read from the
 * socket (or from a trusted proxy in front): see client-address.mjs.
 */

import { context, propagation } from "@opentelemetry/api";

const FORWARDED_REQUEST_HEADERS = [
  "accept",
  "content-type",
  "cookie",
  "idempotency-key",
  "last-event-id",
  "origin",
  "rpc-timeout-ms",
  "sec-fetch-site",
  "traceparent",
  "trpc-accept",
  "x-forwarded-for",
  "x-request-id",
];

const FORWARDED_RESPONSE_HEADERS = ["content-type", "retry-after", "x-request-id", "vary"];

/** What the browser reads when apps/server cannot be reached: a tRPC-shaped error. */
function unreachable(): Response {
  const body = {
    error: {
      json: {
        message: "The ticketing service cannot be reached right now. Try again in a moment.",
        code: -32603,
        data: { code: "BAD_GATEWAY", httpStatus: 502 },
      },
    },
  };
  return Response.json(body, { status: 502, headers: { "cache-control": "no-store, no-transform" } });
}

export async function proxyToApi(request: Request, apiUrl: string): Promise<Response> {
  const incoming = new URL(request.url);
  const path = incoming.pathname.replace(/^\/api\/trpc/, "/trpc");
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  // When this process traces (instrumentation.ts), the API's call continues from this hop's
  // span, which itself continued any traceparent the browser sent; otherwise that
  // traceparent passes through as it came (the propagator of a process without an SDK
  // writes nothing).
  const trace: Record<string, string> = {};
  propagation.inject(context.active(), trace);
  for (const [name, value] of Object.entries(trace)) headers.set(name, value);
  const hasBody = request.method !== "GET" && request.method !== "HEAD" && request.body !== null;
  // `duplex: "half"` lets fetch send a streamed request body (undici requires it).
  const init: RequestInit & { duplex?: "half" } = {
    method: request.method,
    headers,
    body: hasBody ? request.body : null,
    signal: request.signal,
    redirect: "manual",
    ...(hasBody && { duplex: "half" }),
  };

  let upstream: Response;
  try {
    upstream = await fetch(`${apiUrl}${path}${incoming.search}`, init);
  } catch {
    return unreachable();
  }

  const responseHeaders = new Headers();
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) responseHeaders.set(name, value);
  }
  for (const cookie of upstream.headers.getSetCookie()) responseHeaders.append("set-cookie", cookie);
  // Next would otherwise gzip the body and hold back a streamed batch until it ends.
  const cacheControl = upstream.headers.get("cache-control");
  responseHeaders.set(
    "cache-control",
    !cacheControl
      ? "no-store, no-transform"
      : /no-transform/i.test(cacheControl)
        ? cacheControl
        : `${cacheControl}, no-transform`,
  );
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}
