import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { inject } from "vitest";
import { CHROMIUM_ARGS } from "./chromium";
import { webRoot } from "./servers";

export const artifacts = join(webRoot, "test-results", "e2e");
mkdirSync(artifacts, { recursive: true });

export const webUrl = () => inject("webUrl");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: inject("chromiumPath"), args: CHROMIUM_ARGS, headless: true });
}

/** A phone's screen (390×844 CSS pixels, touch), as the mobile tests and screenshots use. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } as const;

/**
 * A fresh context and page: a desktop window, or a phone's screen; `timezoneId` puts the
 * browser in another zone (default: this machine's).
 */
export async function newPage(
  browser: Browser,
  options: { device?: "desktop" | "phone"; timezoneId?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const { device = "desktop", ...rest } = options;
  const context = await browser.newContext({
    baseURL: webUrl(),
    ...(device === "phone" ? PHONE : { viewport: { width: 1280, height: 900 } }),
    ...rest,
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  return { context, page };
}

/**
 * A picture of where the test is, kept as an artifact of the run: the full page on a desktop;
 * on a phone, the screen as the buyer sees it (sticky parts where they stick).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const phone = (page.viewportSize()?.width ?? 1280) <= PHONE.viewport.width;
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: !phone });
}

/** Signs in through the form, as a person would, and waits to land on `returnTo`. */
export async function signIn(page: Page, email: string, returnTo = "/"): Promise<void> {
  await page.goto(`/sign-in?next=${encodeURIComponent(returnTo)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("demo-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.pathname === returnTo.split("?")[0]);
}

/** The event page of a seeded event, found through the list's search like a visitor would. */
export async function openEvent(page: Page, name: string): Promise<void> {
  await page.goto("/");
  await page.getByLabel("Search events").fill(name);
  // The list settles on the search (and the URL records it) before the visitor clicks.
  await page.waitForURL((url) => url.searchParams.get("q") === name);
  await page
    .getByRole("list")
    .locator('[aria-busy="false"]')
    .or(page.locator('ul[aria-busy="false"]'))
    .first()
    .waitFor();
  await page.getByRole("link", { name }).click();
  await page.waitForURL(/\/events\//);
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

/** Switches the map to a section and returns the seat button by its accessible name. */
export async function seat(page: Page, section: string, row: string, number: number) {
  await page.getByRole("tab", { name: new RegExp(`^${section}\\b`) }).click();
  return page.getByRole("button", { name: new RegExp(`^${section} row ${row} seat ${number},`) });
}
