import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, launchBrowser, newPage, openEvent } from "./support/browser";
import { MEASURED_EVENT, measureFirstLoadJs } from "./support/event-page";

/** The event page's first-load JavaScript, gzip (docs/decisions/023-mobile-web.md). */
const BUDGET_GZIP_BYTES = 150_000;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

describe("the event page", () => {
  it(`ships at most ${BUDGET_GZIP_BYTES / 1000} kB of JavaScript (gzip) on first load`, async () => {
    const { context, page } = await newPage(browser);
    await openEvent(page, MEASURED_EVENT);
    const eventPath = new URL(page.url()).pathname;
    // A fresh context: nothing cached, nothing prefetched by the list page.
    await context.close();
    const fresh = await newPage(browser);
    await fresh.page.goto(eventPath, { waitUntil: "load" });
    const js = await measureFirstLoadJs(fresh.page);
    writeFileSync(join(artifacts, "event-page-js.json"), `${JSON.stringify(js, null, 2)}\n`);
    expect(js.scripts.length).toBeGreaterThan(0);
    expect(js.totalGzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    await fresh.context.close();
  });

  it("arrives with its data in the first HTML: title, tiers and seat map, no loading placeholder", async () => {
    const { context, page } = await newPage(browser);
    await openEvent(page, MEASURED_EVENT);
    const html = await (await fetch(page.url())).text();
    expect(html).toContain(`>${MEASURED_EVENT}</h1>`);
    expect(html).toContain("Lower bowl");
    expect(html).toMatch(/aria-label="101 row A seat 1, /);
    expect(html).not.toContain("Loading the seat map");
    await context.close();
  });
});
