import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newPage, openEvent, screenshot, seat, signIn } from "./support/browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

describe("booking, end to end", () => {
  it("browses, picks seats, books, pays, finds the booking and cancels it", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, "alice@example.com");
    await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Alice Moreau");

    // Browse: the list arrives server-rendered, then search narrows it.
    await page.goto("/");
    await expect(page.getByRole("link", { name: "City Lights Indie Fest" }).isVisible()).resolves.toBe(true);
    await screenshot(page, "events-list");
    await page.getByLabel("Status").selectOption("sold_out");
    await page.getByRole("link", { name: "City Lights Indie Fest" }).waitFor({ state: "detached" });
    await expect(page.getByRole("link", { name: "Lantern Comedy Night" }).isVisible()).resolves.toBe(true);
    await expect(page.url()).toMatch(/\?status=sold_out$/);
    await page.getByLabel("Status").selectOption("");

    await openEvent(page, "City Lights Indie Fest");
    const first = await seat(page, "101", "C", 5);
    const second = await seat(page, "101", "C", 6);
    await first.click();
    await second.click();
    await expect(first.getAttribute("aria-pressed")).resolves.toBe("true");
    const selection = page.getByRole("list", { name: "Selected seats" });
    await expect(selection.getByRole("listitem").count()).resolves.toBe(2);
    await screenshot(page, "event-page");

    await page.getByRole("button", { name: "Book 2 seats" }).click();
    await page.waitForURL(/\/checkout\//);
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
    await expect(page.getByTestId("hold-countdown").isVisible()).resolves.toBe(true);
    await expect(page.getByTestId("order-total").textContent()).resolves.toBe("$190.00");
    await screenshot(page, "checkout");

    await page.getByLabel("Card token").fill("tok_visa");
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/\/bookings\/[0-9a-f-]+$/);
    await page.getByRole("heading", { name: "You're going!" }).waitFor();
    await screenshot(page, "confirmation");

    await page.getByRole("link", { name: "My bookings" }).first().click();
    await page.waitForURL(/\/bookings$/);
    const booking = page.getByTestId("booking").filter({ hasText: "101 row C seat 5" });
    await expect(booking.getByText("Confirmed").isVisible()).resolves.toBe(true);
    await screenshot(page, "my-bookings");

    await booking.getByRole("button", { name: "Cancel booking" }).click();
    await booking.getByRole("button", { name: "Yes, cancel" }).click();
    await booking.getByText("Cancelled", { exact: true }).waitFor();

    // The seats are free again on the map.
    await openEvent(page, "City Lights Indie Fest");
    const freed = await seat(page, "101", "C", 5);
    await expect(freed.getAttribute("aria-label")).resolves.toMatch(/, available$/);
    await expect(freed.getAttribute("aria-disabled")).resolves.toBeNull();
    await context.close();
  });

  it("shows an organizer the sales of their events", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, "olivia@example.com", "/organizer");
    await page.getByRole("heading", { name: "Harbor Jazz Sessions" }).waitFor();
    await expect(page.getByRole("heading", { name: "Lantern Comedy Night" }).count()).resolves.toBe(0);
    await screenshot(page, "organizer");
    await context.close();
  });
});
