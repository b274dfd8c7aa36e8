import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { parseTrustedProxies, stampClientAddress } from "../../client-address.mjs";

function request(peer: string, forwardedFor?: string): IncomingMessage {
  const headers: Record<string, string> = forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

describe("the web server's client address", () => {
  it("replaces a browser's own X-Forwarded-For with the address of its socket", () => {
    const req = request("198.51.100.7", "203.0.113.99");
    stampClientAddress(req, parseTrustedProxies(undefined));
    expect(req.headers["x-forwarded-for"]).toBe("198.51.100.7");
  });

  it("sets the socket's address when the browser sent none, on this machine too", () => {
    const req = request("127.0.0.1");
    stampClientAddress(req, parseTrustedProxies("none"));
    expect(req.headers["x-forwarded-for"]).toBe("127.0.0.1");
  });

  it("takes the client a trusted load balancer names, and nothing a client wrote before it", () => {
    const trust = parseTrustedProxies("10.0.0.0/8");
    const req = request("10.0.0.5", "6.6.6.6, 198.51.100.23");
    stampClientAddress(req, trust);
    expect(req.headers["x-forwarded-for"]).toBe("198.51.100.23");
  });

  it("names TRUSTED_PROXIES when an entry is bad", () => {
    expect(() => parseTrustedProxies("loopback, web-lb")).toThrow("TRUSTED_PROXIES: invalid IP address: web-lb");
  });
});
