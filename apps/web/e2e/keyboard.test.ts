import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newPage, openEvent, signIn } from "./support/browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

const focusedName = (page: import("playwright-core").Page) =>
  page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? "");

describe("keyboard only", () => {
  it("picks a seat with the arrow keys and books it without a mouse", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, "bob@example.com");
    await openEvent(page, "Acoustic Evenings: Lena Park");
    const gallery = page.getByRole("tab", { name: /^Gallery\b/ });
    await gallery.focus();
    await page.keyboard.press("Enter");
    await expect(gallery.getAttribute("aria-selected")).resolves.toBe("true");

    // Tab from the section tabs into the map: one tab stop, on its first seat.
    for (let i = 0; i < 5 && !(await focusedName(page)).startsWith("Gallery row"); i++)
      await page.keyboard.press("Tab");
    await expect(focusedName(page)).resolves.toMatch(/^Gallery row A seat 1,/);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    await expect(focusedName(page)).resolves.toMatch(/^Gallery row B seat 3,/);
    await page.keyboard.press("Space");
    await expect(focusedName(page)).resolves.toMatch(/^Gallery row B seat 3, .*selected$/);

    for (let i = 0; i < 10 && (await focusedName(page)) !== "Book 1 seat"; i++) await page.keyboard.press("Tab");
    await expect(focusedName(page)).resolves.toBe("Book 1 seat");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/checkout\//);
    await page.getByText("Gallery · Row B · Seat 3").waitFor();
    await context.close();
  });
});
