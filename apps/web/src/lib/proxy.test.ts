import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { proxyToApi } from "./proxy";

let upstream: Server | undefined;
afterEach(async () => {
  upstream?.closeAllConnections();
  upstream?.close();
  upstream = undefined;
});

async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  upstream = createServer(handler);
  upstream.listen(0, "127.0.0.1");
  await once(upstream, "listening");
  return `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
}

describe("the /api/trpc proxy", () => {
  it("maps the path, forwards identity and CSRF headers, and returns Set-Cookie", async () => {
    let seen: IncomingMessage | undefined;
    const api = await startUpstream((req, res) => {
      seen = req;
      res.setHeader("set-cookie", ["session=abc; Path=/; HttpOnly; SameSite=Lax"]);
      res.setHeader("content-type", "application/json");
      res.setHeader("x-request-id", "req-1");
      res.end('{"result":{}}');
    });
    const response = await proxyToApi(
      new Request("http://web.test/api/trpc/getEvent?input=%7B%7D", {
        headers: {
          cookie: "session=xyz; theme=dark",
          origin: "http://web.test",
          "sec-fetch-site": "same-origin",
          "x-request-id": "req-1",
          "idempotency-key": "key-12345678",
          authorization: "Bearer should-not-pass",
        },
      }),
      api,
    );
    expect(seen?.url).toBe("/trpc/getEvent?input=%7B%7D");
    expect(seen?.headers.cookie).toBe("session=xyz; theme=dark");
    expect(seen?.headers.origin).toBe("http://web.test");
    expect(seen?.headers["sec-fetch-site"]).toBe("same-origin");
    expect(seen?.headers["idempotency-key"]).toBe("key-12345678");
    expect(seen?.headers.authorization).toBeUndefined();
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(["session=abc; Path=/; HttpOnly; SameSite=Lax"]);
    expect(response.headers.get("x-request-id")).toBe("req-1");
    expect(response.headers.get("cache-control")).toContain("no-transform");
    await expect(response.text()).resolves.toBe('{"result":{}}');
  });

  it("passes the browser's traceparent on unchanged when this process does not trace", async () => {
    let seen: IncomingMessage | undefined;
    const api = await startUpstream((req, res) => {
      seen = req;
      res.end("{}");
    });
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await proxyToApi(new Request("http://web.test/api/trpc/me", { headers: { traceparent } }), api);
    expect(seen?.headers.traceparent).toBe(traceparent);
  });

  it("streams the response: the first chunk arrives before the upstream has finished", async () => {
    let finish: () => void = () => {};
    const api = await startUpstream((_req, res) => {
      res.writeHead(200, { "content-type": "application/jsonl", "cache-control": "no-store" });
      res.write('{"first":true}\n');
      finish = () => res.end('{"second":true}\n');
    });
    const response = await proxyToApi(new Request("http://web.test/api/trpc/a,b?batch=1"), api);
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toBe('{"first":true}\n');
    finish();
    let rest = "";
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toBe('{"second":true}\n');
  });

  it("passes server-sent events through with a single no-transform", async () => {
    const api = await startUpstream((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform" });
      res.end("event: connected\ndata: {}\n\n");
    });
    const response = await proxyToApi(new Request("http://web.test/api/trpc/onAvailabilityChange?input=%7B%7D"), api);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    await expect(response.text()).resolves.toBe("event: connected\ndata: {}\n\n");
  });

  it("streams the request body through to the API", async () => {
    const api = await startUpstream(async (req, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ method: req.method, type: req.headers["content-type"], body }));
    });
    const response = await proxyToApi(
      new Request("http://web.test/api/trpc/createBooking", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"json":{"quantity":2}}',
      }),
      api,
    );
    await expect(response.json()).resolves.toEqual({
      method: "POST",
      type: "application/json",
      body: '{"json":{"quantity":2}}',
    });
  });

  it("answers 502 with a tRPC-shaped error when the API cannot be reached", async () => {
    const api = await startUpstream(() => {});
    const closedUrl = api;
    upstream?.close();
    await once(upstream as Server, "close");
    upstream = undefined;
    const response = await proxyToApi(new Request("http://web.test/api/trpc/listEvents"), closedUrl);
    expect(response.status).toBe(502);
    await expect(response.json()).resolves.toEqual({
      error: {
        json: {
          message: "The ticketing service cannot be reached right now. Try again in a moment.",
          code: -32603,
          data: { code: "BAD_GATEWAY", httpStatus: 502 },
        },
      },
    });
  });
});
