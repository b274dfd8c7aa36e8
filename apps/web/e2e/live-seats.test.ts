import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newPage, openEvent, screenshot, seat, signIn } from "./support/browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

describe("live availability", () => {
  it("shows a seat turn held, then sold, in another browser without a reload", async () => {
    const watcher = await newPage(browser);
    await openEvent(watcher.page, "City Lights Indie Fest");
    const watched = await seat(watcher.page, "101", "H", 12);
    await expect(watched.getAttribute("data-status")).resolves.toBe("available");
    // Anything that survives on window proves the page was not loaded again.
    await watcher.page.evaluate(() => Object.assign(window, { sameDocument: true }));

    const buyer = await newPage(browser);
    await signIn(buyer.page, "bob@example.com");
    await openEvent(buyer.page, "City Lights Indie Fest");
    await (await seat(buyer.page, "101", "H", 12)).click();
    await buyer.page.getByRole("button", { name: "Book 1 seat" }).click();
    await buyer.page.waitForURL(/\/checkout\//);

    const status = watcher.page.locator('button[aria-label^="101 row H seat 12,"]');
    await watcher.page.waitForFunction(
      () => document.querySelector('button[aria-label^="101 row H seat 12,"]')?.getAttribute("data-status") === "held",
    );
    await expect(status.getAttribute("aria-label")).resolves.toMatch(/, held by another buyer$/);

    await buyer.page.getByLabel("Card token").fill("tok_visa");
    await buyer.page.getByRole("button", { name: /^Pay / }).click();
    await buyer.page.waitForURL(/\/bookings\/[0-9a-f-]+$/);

    await watcher.page.waitForFunction(
      () => document.querySelector('button[aria-label^="101 row H seat 12,"]')?.getAttribute("data-status") === "sold",
    );
    await expect(status.getAttribute("aria-label")).resolves.toMatch(/, sold$/);
    await expect(watcher.page.evaluate(() => "sameDocument" in window)).resolves.toBe(true);
    await screenshot(watcher.page, "live-seat-sold");
    await Promise.all([watcher.context.close(), buyer.context.close()]);
  });
});
