import { describe, expect, it } from "vitest";
import { webUrl } from "./support/browser";

// The web app decides who the visitor is from its socket; a browser cannot choose its own
// address and so cannot reset a limit that is kept per address.
describe("the visitor's address through /api/trpc", () => {
  it("a new forged X-Forwarded-For on every sign-in attempt still meets the limit for that email", async () => {
    const attempt = (i: number) =>
      fetch(`${webUrl()}/api/trpc/signIn`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: webUrl(),
          "sec-fetch-site": "same-origin",
          "x-forwarded-for": `203.0.113.${i}`,
        },
        body: JSON.stringify({ json: { email: "forged-address@example.test", password: "a wrong password" } }),
      });
    const statuses: number[] = [];
    let limited: Response | undefined;
    // SIGN_IN_ATTEMPTS_PER_MINUTE is 10 in the stack: attempt 11 is over, whatever the header says.
    for (let i = 0; i < 12; i++) {
      const response = await attempt(i);
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
      else await response.body?.cancel();
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited?.json()).toMatchObject({
      error: {
        json: { data: { code: "TOO_MANY_REQUESTS" }, message: expect.stringMatching(/^Too many sign-in attempts/) },
      },
    });
  });
});
