// @ticketing/rpc/testing: helpers for tests of any package (a port nothing listens on); it
// knows nothing of tickets, like the package (no @ticketing/* import).
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback port with nothing listening on it: bound, then released (a server that is down). */
export async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
