// @ts-check
/**
 * The web app's server (`npm run web`, `npm run dev -w @ticketing/web`): Next's request
 * handler behind node:http, so the client's address is settled from the socket before any
 * route runs (see client-address.mjs). Flags as `next start`: -p/--port, -H/--hostname;
 * --dev runs Next's development server.
 */
import { createServer } from "node:http";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { parseTrustedProxies, stampClientAddress } from "./client-address.mjs";

/** @param {string[]} names */
function flag(...names) {
  const index = process.argv.findIndex((arg) => names.includes(arg));
  return index === -1 ? undefined : process.argv[index + 1];
}

const dev = process.argv.includes("--dev");
const port = Number(flag("-p", "--port") ?? process.env.PORT ?? 3000);
const hostname = flag("-H", "--hostname");
let trust;
try {
  trust = parseTrustedProxies(process.env.TRUSTED_PROXIES);
} catch (error) {
  console.error(`Invalid configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const app = next({
  dev,
  dir: dirname(fileURLToPath(import.meta.url)),
  hostname,
  port,
  ...(dev && { turbopack: true }),
});
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  stampClientAddress(req, trust);
  handle(req, res);
});
if (dev) server.on("upgrade", app.getUpgradeHandler());
server.listen(port, hostname, () => {
  console.log(`web: ${dev ? "development" : "production"} server on http://${hostname ?? "localhost"}:${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    // Open streams (server-sent events) would hold the close forever.
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
