// One of the HTTP hosts compared in docs/decisions/001: serves a trivial procedure (or the
// same bytes, for bare node:http) on the port given, until killed.
import http from "node:http";
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { incomingMessageToRequest } from "@trpc/server/adapters/node-http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import superjson from "superjson";
import { z } from "zod";

const t = initTRPC.create({ transformer: superjson });
export const pingRouter = t.router({
  ping: t.procedure
    .input(z.object({ id: z.string() }))
    .query(({ input }) => ({ id: input.id, name: "hello", at: new Date(0) })),
});
export const pingBody = JSON.stringify({
  result: {
    data: {
      json: { id: "x", name: "hello", at: "1970-01-01T00:00:00.000Z" },
      meta: { values: { at: ["Date"] }, v: 1 },
    },
  },
});

const [mode = "bare", port = "0"] = process.argv.slice(2);
const servers: Record<string, () => http.Server> = {
  bare: () =>
    http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(pingBody);
    }),
  standalone: () => http.createServer(createHTTPHandler({ router: pingRouter, basePath: "/trpc/" })),
  fetch: () =>
    http.createServer(async (req, res) => {
      const request = incomingMessageToRequest(req, res, { maxBodySize: 1 << 20 });
      const response = await fetchRequestHandler({ endpoint: "/trpc", req: request, router: pingRouter });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    }),
};
const make = servers[mode];
if (!make) throw new Error(`unknown mode ${mode}`);
const server = make();
server.listen(Number(port), "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ ready: true, port: typeof address === "object" && address ? address.port : port }));
});
