import { randomUUID } from "node:crypto";
import type { AppRouter } from "@ticketing/api";
import { createTRPCClient, httpLink } from "@trpc/client";
import type { Browser, Page } from "playwright-core";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, screenshot, signIn } from "./support/browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

/** Another program, straight to the API over HTTP: a customer signed in with a token. */
async function customerOverHttp(email: string) {
  const url = `${inject("apiUrl")}/trpc`;
  const anonymous = createTRPCClient<AppRouter>({ links: [httpLink({ url, transformer: superjson })] });
  const { token } = await anonymous.signIn.mutate({ email, password: "demo-password" });
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url, transformer: superjson, headers: { authorization: `Bearer ${token}` } })],
  });
}

/** The totals row of one event's sales table on the organizer page. */
async function salesOf(page: Page, eventName: string) {
  const section = page.locator("section.organizer-event", { has: page.getByRole("heading", { name: eventName }) });
  return {
    eventId: (await section.getAttribute("data-event-id")) ?? "",
    held: section.getByTestId("event-held"),
    sold: section.getByTestId("event-sold"),
    revenue: section.getByTestId("event-revenue"),
  };
}

const untilText = async (locator: ReturnType<Page["locator"]>, expected: string) =>
  expect.poll(() => locator.textContent(), { timeout: 20_000 }).toBe(expected);

describe("the organizer page", () => {
  it("shows a booking made by someone else, over HTTP, in the sales without a reload", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, "olivia@example.com", "/organizer");
    const sales = await salesOf(page, "Harbor Jazz Sessions");
    const before = {
      held: Number(await sales.held.textContent()),
      sold: Number(await sales.sold.textContent()),
      revenue: await sales.revenue.textContent(),
    };
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));

    const bob = await customerOverHttp("bob@example.com");
    const booking = await bob.createBooking.mutate({ eventId: sales.eventId, quantity: 2 });
    await untilText(sales.held, String(before.held + 2));
    await bob.confirmBooking.mutate({ bookingId: booking.id, paymentToken: "tok_visa", idempotencyKey: randomUUID() });
    await untilText(sales.sold, String(before.sold + 2));
    await untilText(sales.held, String(before.held));
    await expect(sales.revenue.textContent()).resolves.not.toBe(before.revenue);
    await expect(page.evaluate(() => "sameDocument" in window)).resolves.toBe(true);
    await screenshot(page, "organizer-live-sales");
    await context.close();
  });

  it("uploads a CSV feed, shows its progress and the report with the bad rows, and lists the new events", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, "olivia@example.com", "/organizer");
    const tag = randomUUID().slice(0, 8);
    const feed = [
      "externalId,name,venue,startsAt,status",
      `upload-${tag}-1,Uploaded Matinee ${tag},The Lantern Room,2031-09-01T14:00:00Z,on_sale`,
      `upload-${tag}-2,Uploaded Late Show ${tag},The Lantern Room,2031-03-09T02:30:00,`,
      `upload-${tag}-3,Uploaded Encore ${tag},The Lantern Room,2031-09-02T20:00:00+02:00,`,
      "",
    ].join("\n");
    await page.getByLabel("Feed file").setInputFiles({
      name: "events.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(feed),
    });
    await page.getByRole("button", { name: "Upload and import" }).click();
    const report = page.getByTestId("import-report");
    await report.waitFor();
    await expect(report.getByRole("status").textContent()).resolves.toBe(
      "events.csv: 3 rows — 2 created, 0 updated, 1 failed",
    );
    const badRow = report.getByRole("row", { name: new RegExp(`upload-${tag}-2`) });
    await expect(badRow.textContent()).resolves.toBe(
      `23upload-${tag}-2startsAt 2031-03-09T02:30:00 does not exist in America/Chicago: the clocks skip it when daylight saving time begins. Give another time, or one with a UTC offset.`,
    );
    // The new events join the desk (the page refreshes its server data in place).
    await page.getByRole("heading", { name: `Uploaded Matinee ${tag}` }).waitFor();
    await page.getByRole("heading", { name: `Uploaded Encore ${tag}` }).waitFor();
    await screenshot(page, "organizer-import-report");

    // The same file again: every good row is an update.
    await page.getByRole("button", { name: "Upload and import" }).click();
    await expect
      .poll(() => report.getByRole("status").textContent(), { timeout: 20_000 })
      .toBe("events.csv: 3 rows — 0 created, 2 updated, 1 failed");
    await context.close();
  });
});
