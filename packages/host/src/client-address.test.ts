import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientAddressOf, trustedProxies } from "./http";

/** Just what address resolution reads: the peer and the headers. */
function request(peer: string, forwardedFor?: string): IncomingMessage {
  const headers = forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

describe("clientAddressOf", () => {
  it("is the peer when the peer is no trusted proxy, whatever it claims", () => {
    expect(clientAddressOf(request("203.0.113.5", "10.9.9.9"))).toEqual({ address: "203.0.113.5", forwarded: false });
  });

  it("is the address a trusted proxy on this machine put last, not what the client wrote before it", () => {
    expect(clientAddressOf(request("127.0.0.1", "6.6.6.6, 198.51.100.23"))).toEqual({
      address: "198.51.100.23",
      forwarded: true,
    });
    expect(clientAddressOf(request("::ffff:127.0.0.1", "198.51.100.23"))).toEqual({
      address: "198.51.100.23",
      forwarded: true,
    });
  });

  it("walks past every trusted hop, from the right, to the first that is not trusted", () => {
    const trust = trustedProxies(["loopback", "10.0.0.0/8"]);
    // browser → load balancer (10.0.0.5) → web (10.1.2.3) → server
    expect(clientAddressOf(request("10.1.2.3", "6.6.6.6, 198.51.100.23, 10.0.0.5"), trust)).toEqual({
      address: "198.51.100.23",
      forwarded: true,
    });
  });

  it("stays on this machine's address when a proxy forwards its own loopback peer (a browser on this machine)", () => {
    expect(clientAddressOf(request("127.0.0.1", "127.0.0.1"))).toEqual({ address: "127.0.0.1", forwarded: true });
  });

  it("is the peer when a trusted proxy forwarded nothing", () => {
    expect(clientAddressOf(request("127.0.0.1"))).toEqual({ address: "127.0.0.1", forwarded: false });
  });
});

describe("trustedProxies", () => {
  it("takes addresses, CIDRs and the names loopback, linklocal, uniquelocal", () => {
    const trust = trustedProxies(["192.0.2.10", "10.0.0.0/8", "fd00::/8", "loopback"]);
    expect(["192.0.2.10", "10.200.1.1", "fd12::1", "127.0.0.1", "::1"].map((a) => trust(a, 0))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(["192.0.2.11", "11.0.0.1", "8.8.8.8"].map((a) => trust(a, 0))).toEqual([false, false, false]);
  });

  it("names a bad entry", () => {
    expect(() => trustedProxies(["10.0.0.0/33"])).toThrow("invalid range on address: 10.0.0.0/33");
    expect(() => trustedProxies(["proxy.internal"])).toThrow("invalid IP address: proxy.internal");
  });
});
