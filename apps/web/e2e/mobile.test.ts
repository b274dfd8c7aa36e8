import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newPage, openEvent, PHONE, screenshot, seat, signIn } from "./support/browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

/** The page itself never scrolls sideways (the seat map may, inside its own box). */
async function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** Whether an element lies wholly inside the screen as it is now, without scrolling. */
async function onScreen(locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  return box !== null && box.y >= 0 && box.y + box.height <= PHONE.viewport.height;
}

describe("on a phone (390×844)", () => {
  it("books and pays: compact header, thumb-sized seats, Book within reach, the hold shown as the buyer's own", async () => {
    const { context, page } = await newPage(browser, { device: "phone" });
    await page.goto("/");
    await page.getByRole("heading", { name: "Live events" }).waitFor();
    // One line of header: the brand and a Menu button (or Sign in), not three stacked rows.
    expect((await page.locator(".site-header").boundingBox())?.height).toBeLessThanOrEqual(64);
    await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(PHONE.viewport.width);
    await screenshot(page, "events-list-mobile");

    await signIn(page, "bob@example.com");
    // Signed in, the links and the account sit behind the Menu button.
    const menu = page.getByRole("button", { name: "Menu" });
    await expect(page.getByRole("link", { name: "My bookings" }).isVisible()).resolves.toBe(false);
    await menu.click();
    await expect(menu.getAttribute("aria-expanded")).resolves.toBe("true");
    await expect(page.getByRole("link", { name: "My bookings" }).isVisible()).resolves.toBe(true);
    await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Bob Okafor");
    await screenshot(page, "menu-mobile");
    await menu.click();

    await openEvent(page, "City Lights Indie Fest");
    await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(PHONE.viewport.width);
    const first = await seat(page, "104", "B", 3);
    const second = await seat(page, "104", "B", 4);
    // WCAG 2.2 target size: at least 24 × 24 CSS pixels.
    const box = await first.boundingBox();
    expect(box?.width).toBeGreaterThanOrEqual(24);
    expect(box?.height).toBeGreaterThanOrEqual(24);
    await first.tap();
    await second.tap();
    await expect(first.getAttribute("aria-pressed")).resolves.toBe("true");
    // With the map in view, the total and Book are on screen: no scrolling past the map.
    const book = page.getByRole("button", { name: "Book 2 seats" });
    await expect(onScreen(book)).resolves.toBe(true);
    await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(PHONE.viewport.width);
    await screenshot(page, "event-page-mobile");

    await book.tap();
    await page.waitForURL(/\/checkout\//);
    const checkoutPath = new URL(page.url()).pathname;
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
    await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(PHONE.viewport.width);
    await screenshot(page, "checkout-mobile");

    // Back on the event page, the unpaid hold is Bob's own: on the map, with its countdown and the way back.
    await page.goBack();
    await page.getByRole("heading", { name: "Your seats on hold" }).waitFor();
    const hold = page.getByTestId("own-hold").filter({ hasText: "104 row B seat 3" });
    await expect(hold.getByRole("timer").textContent()).resolves.toMatch(/\d+:\d\d left to pay/);
    const held = await seat(page, "104", "B", 3);
    await expect.poll(() => held.getAttribute("aria-label")).toMatch(/held by you, awaiting payment$/);
    await screenshot(page, "event-own-hold-mobile");
    await hold.getByRole("link", { name: "Complete checkout" }).tap();
    await page.waitForURL((url) => url.pathname === checkoutPath);

    await page.getByLabel("Card token").fill("tok_visa");
    await page.getByRole("button", { name: /^Pay / }).tap();
    await page.waitForURL(/\/bookings\/[0-9a-f-]+$/);
    await page.getByRole("heading", { name: "You're going!" }).waitFor();
    await screenshot(page, "confirmation-mobile");

    await page.goto("/bookings");
    await page.getByTestId("booking").filter({ hasText: "104 row B seat 3" }).getByText("Confirmed").waitFor();
    await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(PHONE.viewport.width);
    await screenshot(page, "my-bookings-mobile");
    await context.close();
  });

  it("marks only the buyer's own holds as theirs, and releases one from the map", async () => {
    const alice = await newPage(browser, { device: "phone" });
    const bob = await newPage(browser, { device: "phone" });
    await signIn(alice.page, "alice@example.com");
    await signIn(bob.page, "bob@example.com");
    await openEvent(alice.page, "City Lights Indie Fest");
    await (await seat(alice.page, "104", "F", 9)).tap();
    await alice.page.getByRole("button", { name: "Book 1 seat" }).tap();
    await alice.page.waitForURL(/\/checkout\//);

    // To anyone else the seat is just held: whose hold it is stays private.
    await openEvent(bob.page, "City Lights Indie Fest");
    const seenByBob = await seat(bob.page, "104", "F", 9);
    await expect.poll(() => seenByBob.getAttribute("aria-label")).toMatch(/held by another buyer$/);
    await expect(bob.page.getByTestId("own-hold").filter({ hasText: "104 row F seat 9" }).count()).resolves.toBe(0);

    await openEvent(alice.page, "City Lights Indie Fest");
    const hold = alice.page.getByTestId("own-hold").filter({ hasText: "104 row F seat 9" });
    await hold.getByRole("button", { name: "Release seats" }).tap();
    await hold.waitFor({ state: "detached" });
    const freed = await seat(alice.page, "104", "F", 9);
    await expect.poll(() => freed.getAttribute("aria-label")).toMatch(/, available$/);
    // Bob's map hears of it live.
    await expect.poll(() => seenByBob.getAttribute("aria-label"), { timeout: 15_000 }).toMatch(/, available$/);
    await alice.context.close();
    await bob.context.close();
  });

  it("keeps the sign-in and organizer pages within the screen", async () => {
    const { context, page } = await newPage(browser, { device: "phone" });
    await page.goto("/sign-in");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(PHONE.viewport.width);
    await screenshot(page, "sign-in-mobile");
    await signIn(page, "olivia@example.com", "/organizer");
    await page.getByRole("heading", { name: "Harbor Jazz Sessions" }).waitFor();
    await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(PHONE.viewport.width);
    await screenshot(page, "organizer-mobile");
    await context.close();
  });
});
