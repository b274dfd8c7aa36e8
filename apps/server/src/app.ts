import http from "node:http";
import { appRouter, createContextFactory } from "@ticketing/api";
import { checkReadiness, type DatabaseHandle } from "@ticketing/db";
import { createTrpcHandler, requestIdOf } from "@ticketing/rpc/server";
import type { Config } from "./config";
import { credentialsOf, sessionCookieJar } from "./cookies";
import type { Logger } from "./logger";

export interface App {
  server: http.Server;
  /** Stops accepting, lets in-flight calls finish (up to the grace period), then closes the database. */
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

export function createApp({
  config,
  database,
  logger,
}: {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
}): App {
  const createContext = createContextFactory({
    db: database.db,
    serviceToken: config.workerToken,
    holdMinutes: config.holdMinutes,
  });
  const trpc = createTrpcHandler({
    router: appRouter,
    endpoint: "/trpc",
    allowedOrigins: config.webOrigins,
    createContext: ({ nodeReq, resHeaders, requestId }) => {
      const idempotencyKey = nodeReq.headers["idempotency-key"];
      return createContext({
        requestId,
        credentials: credentialsOf(nodeReq),
        idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey : undefined,
        cookies: sessionCookieJar(resHeaders, config.secureCookies),
      });
    },
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error.cause ?? error, path }, "procedure failed");
    },
  });

  let draining = false;
  const server = http.createServer(async (req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    // While draining, a connection is closed as soon as its last response is out.
    res.once("finish", () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    try {
      if (path === "/health") return sendJson(res, 200, { status: "ok" });
      if (path === "/ready") {
        if (draining) return sendJson(res, 503, { status: "draining" });
        const readiness = await checkReadiness(database);
        return readiness.ready
          ? sendJson(res, 200, { status: "ready" })
          : sendJson(res, 503, { status: "not ready", reason: readiness.reason });
      }
      if (path === "/trpc" || path.startsWith("/trpc/")) {
        if (draining) res.setHeader("connection", "close");
        return await trpc(req, res, requestId);
      }
      return sendJson(res, 404, {
        error: { code: "NOT_FOUND", message: `No route ${path}. Procedures live under /trpc/<name>.` },
      });
    } catch (error) {
      logger.error({ err: error, requestId, path }, "request failed");
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" } });
      else res.destroy();
    }
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    close() {
      closing ??= (async () => {
        draining = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = setTimeout(() => {
          logger.warn("grace period over: closing the connections still open");
          server.closeAllConnections();
        }, config.shutdownGraceMs);
        await stopped;
        clearTimeout(grace);
        await database.close();
      })();
      return closing;
    },
  };
}
