import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newPage, openEvent, screenshot, seat, signIn } from "./support/browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

describe("signing in", () => {
  it("sends a signed-out buyer to sign-in and back to their seats afterwards", async () => {
    const { context, page } = await newPage(browser);
    await openEvent(page, "Midnight Orchestra — Winter Tour");
    const picked = await seat(page, "203", "D", 7);
    await picked.click();
    await page.getByRole("button", { name: "Sign in and book" }).click();

    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByText("Sign in to continue where you left off.").waitFor();
    await expect(page.getByRole("button", { name: "Use Bob Okafor's account" }).isVisible()).resolves.toBe(true);
    await screenshot(page, "sign-in");
    await page.getByRole("button", { name: "Use Bob Okafor's account" }).click();
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    // Back on the event page, signed in, with the seat still picked.
    await page.waitForURL(/\/events\/[0-9a-f-]+\?section=203&seats=/);
    await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Bob Okafor");
    const again = await seat(page, "203", "D", 7);
    await expect(again.getAttribute("aria-pressed")).resolves.toBe("true");
    await page.getByRole("button", { name: "Book 1 seat" }).click();
    await page.waitForURL(/\/checkout\//);
    await context.close();
  });

  it("sends a signed-out visitor of My bookings to sign-in and back", async () => {
    const { context, page } = await newPage(browser);
    await page.goto("/bookings");
    await page.waitForURL(/\/sign-in\?next=%2Fbookings$/);
    await page.getByLabel("Email").fill("bob@example.com");
    await page.getByLabel("Password").fill("demo-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/bookings$/);
    await page.getByRole("heading", { name: "My bookings" }).waitFor();
    await context.close();
  });

  it("shows field errors beside the fields, and a wrong password above the form", async () => {
    const { context, page } = await newPage(browser);
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("Enter a valid email address").waitFor();
    await expect(page.getByText("Enter your password").isVisible()).resolves.toBe(true);
    await expect(page.getByLabel("Email").getAttribute("aria-invalid")).resolves.toBe("true");

    await page.getByLabel("Email").fill("alice@example.com");
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "Email or password is incorrect." }).waitFor();
    await context.close();
  });

  it("sends someone whose session ended mid-visit to sign-in, then back to their bookings", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, "omar@example.com");
    await openEvent(page, "Acoustic Evenings: Lena Park");
    await (await seat(page, "Stalls", "E", 8)).click();
    await page.getByRole("button", { name: "Book 1 seat" }).click();
    await page.waitForURL(/\/checkout\//);
    await page.goto("/bookings");
    const booking = page.getByTestId("booking").filter({ hasText: "Stalls row E seat 8" });
    await booking.getByRole("button", { name: "Cancel booking" }).click();

    await context.clearCookies();
    await booking.getByRole("button", { name: "Yes, cancel" }).click();
    await page.waitForURL(/\/sign-in\?next=%2Fbookings$/);
    await page.getByRole("button", { name: "Use Omar Haddad's account" }).click();
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/bookings$/);
    await expect(booking.getByText("Awaiting payment").isVisible()).resolves.toBe(true);
    await context.close();
  });

  it("signs out", async () => {
    const { context, page } = await newPage(browser);
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Use Omar Haddad's account" }).click();
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByTestId("signed-in-as").waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === "session")).toBeUndefined();
    await context.close();
  });
});
