// @ts-check
import proxyAddr from "proxy-addr";

/**
 * Who the web app's client is, decided at the socket, before Next sees the request. Next gives
 * route handlers and server components no socket, and it keeps an X-Forwarded-For that the
 * browser sent itself (it only fills in the peer when the header is missing), so a browser
 * could name any address it liked. Here the header is replaced by the one address this
 * server vouches for: its peer, or, when its peer is a trusted proxy (a load balancer in
 * front), the client that proxy named (proxy-addr's rule: the rightmost address that is not
 * a trusted proxy). The /api/trpc proxy and server-side calls pass that address on to
 * apps/server, which trusts this app as a proxy.
 */

/**
 * Parses TRUSTED_PROXIES for the web app: addresses, CIDRs or proxy-addr's names
 * (loopback, linklocal, uniquelocal), comma-separated. Unset or "none": browsers connect
 * straight to this app, and no forwarded header is believed.
 * @param {string | undefined} value
 * @returns {(address: string, hop: number) => boolean}
 */
export function parseTrustedProxies(value) {
  const entries = (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0 || (entries.length === 1 && entries[0] === "none")) return () => false;
  try {
    return proxyAddr.compile(entries);
  } catch (error) {
    throw new Error(`TRUSTED_PROXIES: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Replaces X-Forwarded-For with the single client address this server vouches for.
 * @param {import("node:http").IncomingMessage} req
 * @param {(address: string, hop: number) => boolean} trust
 */
export function stampClientAddress(req, trust) {
  const address = req.socket.remoteAddress ? proxyAddr(req, trust) : undefined;
  if (address) req.headers["x-forwarded-for"] = address;
  else delete req.headers["x-forwarded-for"];
}
