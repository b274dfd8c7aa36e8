import { formatEventTime } from "@ticketing/api/time";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, openEvent, screenshot, seat, signIn } from "./support/browser";

const SHOW = "Acoustic Evenings: Lena Park";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

/** The show as the API has it: its instant and its venue's zone. */
async function showFromApi(): Promise<{ startsAt: Date; timeZone: string }> {
  const response = await fetch(`${inject("apiUrl")}/api/v1/events?query=${encodeURIComponent("Lena Park")}`);
  const body = (await response.json()) as { items: { startsAt: string; venue: { timeZone: string } }[] };
  const [event] = body.items;
  if (!event) throw new Error(`${SHOW} is not in the seed`);
  return { startsAt: new Date(event.startsAt), timeZone: event.venue.timeZone };
}

/** React's production build reports a hydration mismatch as minified error #418/#425 or a "hydrat…" message. */
function watchHydration(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /hydrat|#418|#425|#423/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => {
    if (/hydrat|#418|#425|#423/i.test(error.message)) problems.push(error.message);
  });
  return problems;
}

describe("times in the venue's zone, with a browser in Tokyo and the servers in UTC", () => {
  it("shows the Austin show at 7:30 PM Central on the event page, at checkout and on the confirmation", async () => {
    const show = await showFromApi();
    expect(show.timeZone).toBe("America/Chicago");
    const expected = formatEventTime(show.startsAt, show.timeZone);
    // The seed's promise, read independently of the helper: the ticket says 7:30 PM, Central time.
    expect(expected).toMatch(/, 7:30 PM C[SD]T$/);

    const { context, page } = await newPage(browser, { timezoneId: "Asia/Tokyo" });
    const hydration = watchHydration(page);
    await signIn(page, "bob@example.com");
    // The browser really is in Tokyo: left to itself, it would say 9:30 or 10:30 AM the next day.
    const inTokyo = await page.evaluate(
      (iso) =>
        `${Intl.DateTimeFormat().resolvedOptions().timeZone} ${new Date(iso).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" })}`,
      show.startsAt.toISOString(),
    );
    expect(inTokyo).toMatch(/^Asia\/Tokyo (9|10):30 AM$/);

    // The list and the event page: the server's HTML already has the venue's time, and
    // hydration in Tokyo keeps it.
    const listHtml = await (await context.request.get("/")).text();
    expect(listHtml).toContain(expected);
    await openEvent(page, SHOW);
    const showTime = () => page.locator(`time[datetime="${show.startsAt.toISOString()}"]`).first().textContent();
    await expect(showTime()).resolves.toBe(expected);
    const eventHtml = await (await context.request.get(new URL(page.url()).pathname)).text();
    expect(eventHtml).toContain(`>${expected}</time>`);
    await screenshot(page, "tokyo-event-page");

    // Checkout: the show's time as the ticket says it; the hold's countdown stays relative.
    const gallerySeat = await seat(page, "Gallery", "D", 12);
    await gallerySeat.click();
    await page.getByRole("button", { name: "Book 1 seat" }).click();
    await page.waitForURL(/\/checkout\//);
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
    await expect(showTime()).resolves.toBe(expected);
    const countdown = await page.getByTestId("hold-countdown").textContent();
    expect(countdown).toMatch(/^\d{1,2}:\d{2}$/);
    const [minutes = 0] = (countdown ?? "").split(":").map(Number);
    expect(minutes).toBeGreaterThanOrEqual(8);
    expect(minutes).toBeLessThanOrEqual(10);
    await screenshot(page, "tokyo-checkout");

    // The confirmation, rendered by the server (in UTC) for a visitor in Tokyo.
    await page.getByLabel("Card token").fill("tok_visa");
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/\/bookings\/[0-9a-f-]+$/);
    await page.getByRole("heading", { name: "You're going!" }).waitFor();
    await expect(showTime()).resolves.toBe(expected);
    const confirmationHtml = await (await context.request.get(new URL(page.url()).pathname)).text();
    expect(confirmationHtml).toContain(`>${expected}</time>`);
    await screenshot(page, "tokyo-confirmation");

    expect(hydration).toEqual([]);
    await context.close();
  });
});
