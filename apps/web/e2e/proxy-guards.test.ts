import { describe, expect, it } from "vitest";
import { webUrl } from "./support/browser";

// The API server's CSRF guard must stay effective through the web app's proxy.
describe("mutations through /api/trpc", () => {
  const signIn = (headers: Record<string, string>, body: string) =>
    fetch(`${webUrl()}/api/trpc/signIn`, { method: "POST", headers, body });
  const credentials = JSON.stringify({ json: { email: "alice@example.com", password: "demo-password" } });

  it("refuses a mutation sent from another site", async () => {
    const response = await signIn(
      { "content-type": "application/json", origin: "http://evil.example", "sec-fetch-site": "cross-site" },
      credentials,
    );
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { json: { message: string } } };
    expect(body.error.json.message).toBe("Requests from http://evil.example may not change anything here.");
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("refuses a form-encoded body, which a cross-site HTML form could send", async () => {
    const response = await signIn(
      { "content-type": "application/x-www-form-urlencoded", origin: webUrl() },
      "email=alice%40example.com&password=demo-password",
    );
    expect(response.status).toBe(415);
  });

  it("sets an httpOnly, SameSite=Lax session cookie for a same-origin sign-in", async () => {
    const response = await signIn(
      { "content-type": "application/json", origin: webUrl(), "sec-fetch-site": "same-origin" },
      credentials,
    );
    expect(response.status).toBe(200);
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^session=[^;]+;/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(response.headers.get("cache-control")).toContain("no-transform");
  });
});

describe("pages", () => {
  it("carry a content security policy that forbids framing, and the other browser safety headers", async () => {
    const response = await fetch(`${webUrl()}/`);
    expect(response.status).toBe(200);
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain("unsafe-eval");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });
});
