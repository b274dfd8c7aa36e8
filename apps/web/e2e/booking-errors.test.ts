import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newPage, openEvent, screenshot, seat, signIn } from "./support/browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

async function bookingsFor(page: Page, seatText: string): Promise<number> {
  await page.goto("/bookings");
  await page.getByRole("heading", { name: "My bookings" }).waitFor();
  return page.getByTestId("booking").filter({ hasText: seatText }).count();
}

describe("what can go wrong while booking", () => {
  it("explains a seat taken by another buyer and refreshes the map", async () => {
    const alice = await newPage(browser);
    const bob = await newPage(browser);
    await signIn(alice.page, "alice@example.com");
    await signIn(bob.page, "bob@example.com");
    // Bob's map gets no live updates, so it still shows the seat free when he books it.
    await bob.page.route("**/api/trpc/onAvailabilityChange**", (route) => route.abort());
    for (const { page } of [alice, bob]) {
      await openEvent(page, "City Lights Indie Fest");
      await (await seat(page, "102", "A", 1)).click();
    }
    await alice.page.getByRole("button", { name: "Book 1 seat" }).click();
    await alice.page.waitForURL(/\/checkout\//);

    await bob.page.getByRole("button", { name: "Book 1 seat" }).click();
    const error = bob.page.getByTestId("booking-error");
    await expect(error.textContent()).resolves.toMatch(/Seat 102.*was just taken\. Pick another seat\./);
    await expect(error.textContent()).resolves.toContain("The seat map has been refreshed");
    // The map now shows the seat as held, and Bob's selection let go of it.
    const taken = await seat(bob.page, "102", "A", 1);
    await expect.poll(() => taken.getAttribute("aria-label")).toMatch(/held by another buyer$/);
    await expect.poll(() => taken.getAttribute("aria-pressed")).toBe("false");
    // The declared error named the seat: it stays outlined until the next try.
    await expect(taken.getAttribute("data-taken")).resolves.toBe("true");
    await screenshot(bob.page, "seat-conflict");
    await alice.context.close();
    await bob.context.close();
  });

  it("books once when Book is double-clicked", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, "bob@example.com");
    await openEvent(page, "Midnight Orchestra — Winter Tour");
    await (await seat(page, "201", "B", 3)).click();
    const keys: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/trpc/createBooking")) {
        const body = JSON.parse(request.postData() ?? "{}") as { json?: { idempotencyKey?: string } };
        keys.push(body.json?.idempotencyKey ?? "none");
      }
    });
    await page.getByRole("button", { name: "Book 1 seat" }).dblclick();
    await page.waitForURL(/\/checkout\//);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[\x21-\x7e]{8,128}$/);
    await expect(bookingsFor(page, "201 row B seat 3")).resolves.toBe(1);
    await context.close();
  });

  it("shows a declined card, keeps the hold, and takes another card", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, "alice@example.com");
    await openEvent(page, "Acoustic Evenings: Lena Park");
    await (await seat(page, "Stalls", "J", 1)).click();
    await page.getByRole("button", { name: "Book 1 seat" }).click();
    await page.waitForURL(/\/checkout\//);

    await page.getByRole("button", { name: "Card that is declined" }).click();
    await page.getByRole("button", { name: /^Pay / }).click();
    const error = page.getByTestId("payment-error");
    await expect(error.textContent()).resolves.toMatch(
      /The card was declined\. Your seats stay held until .*; try another card\./,
    );
    await expect(page.getByTestId("hold-countdown").isVisible()).resolves.toBe(true);
    // Told by the declared error (CARD_DECLINED), the card field asks for another card and has the focus.
    const card = page.getByLabel("Card token");
    await page.getByText("This card was declined. Enter another card.").waitFor();
    await expect(card.getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(card.evaluate((input) => input === document.activeElement)).resolves.toBe(true);
    await screenshot(page, "payment-declined");

    await page.getByLabel("Card token").fill("");
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.getByText("A payment token is required").waitFor();

    await page.getByRole("button", { name: "Visa that pays" }).click();
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.getByRole("heading", { name: "You're going!" }).waitFor();
    await context.close();
  });

  it("shows the server's field error beside the quantity", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, "bob@example.com");
    await openEvent(page, "City Lights Indie Fest");
    await page.getByLabel("Best available seats").fill("11");
    await page.getByRole("button", { name: "Find seats" }).click();
    await page.getByText("At most 10 seats per booking", { exact: true }).waitFor();
    await expect(page.getByTestId("booking-error").count()).resolves.toBe(0);
    await expect(page.getByLabel("Best available seats").getAttribute("aria-invalid")).resolves.toBe("true");

    await page.getByLabel("Best available seats").fill("3");
    await page.getByRole("button", { name: "Find seats" }).click();
    await page.waitForURL(/\/checkout\//);
    await expect(page.getByRole("list").filter({ hasText: "Row" }).getByRole("listitem").count()).resolves.toBe(3);
    await context.close();
  });

  it("says when an event is not on sale yet or sold out, and offers no Book button that would fail", async () => {
    const { context, page } = await newPage(browser);
    await openEvent(page, "Aurora Ballet: The Firebird");
    await page.getByText("Tickets are not on sale yet. Check back soon.").waitFor();
    await expect(page.getByRole("button", { name: "Find seats" }).isDisabled()).resolves.toBe(true);
    await openEvent(page, "Lantern Comedy Night");
    await page.getByText("This event is sold out.").waitFor();
    await expect(page.getByRole("button", { name: "Sign in and book" }).isDisabled()).resolves.toBe(true);
    await context.close();
  });

  it("keeps showing saved data, marked stale, while the API is unreachable, and retries", async () => {
    const { context, page } = await newPage(browser);
    await openEvent(page, "City Lights Indie Fest");
    // What the proxy answers when apps/server is down (see src/lib/proxy.test.ts).
    await page.route("**/api/trpc/**", (route) =>
      route.fulfill({
        status: 502,
        contentType: "application/json",
        body: JSON.stringify({
          error: {
            json: {
              message: "The ticketing service cannot be reached right now. Try again in a moment.",
              code: -32603,
              data: { code: "BAD_GATEWAY", httpStatus: 502 },
            },
          },
        }),
      }),
    );
    await page.getByRole("button", { name: "Refresh availability" }).click();
    const stale = page.getByTestId("stale-notice").first();
    await stale.waitFor({ timeout: 30_000 });
    await expect(stale.textContent()).resolves.toMatch(/Showing saved seat map from .*cannot be reached/);
    await expect(page.getByRole("heading", { level: 1, name: "City Lights Indie Fest" }).isVisible()).resolves.toBe(
      true,
    );
    await screenshot(page, "api-down");

    await page.unroute("**/api/trpc/**");
    await stale.getByRole("button", { name: "Retry" }).click();
    await stale.waitFor({ state: "detached" });
    await context.close();
  });
});
