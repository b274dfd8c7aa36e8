import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";

/** The event every measurement uses: an arena show, ~3,000 seats on its map. */
export const MEASURED_EVENT = "City Lights Indie Fest";

export interface FirstLoadJs {
  scripts: { url: string; bytes: number; gzipBytes: number }[];
  totalBytes: number;
  totalGzipBytes: number;
  /** Scripts the page asked for only after its load event (code loaded on idle or on use): listed, not counted. */
  afterLoad: { url: string; bytes: number; gzipBytes: number }[];
}

async function sizes(urls: string[]) {
  return Promise.all(
    urls.map(async (url) => {
      const body = Buffer.from(await (await fetch(url)).arrayBuffer());
      return { url: new URL(url).pathname, bytes: body.length, gzipBytes: gzipSync(body).length };
    }),
  );
}

/**
 * Every script the page requested before its load event, fetched again and gzipped as a
 * server would. The load event waits for each of them, so that is what the first load costs.
 * A script requested later (a page's code for after first paint) is listed in `afterLoad`:
 * when it is read, right after load, it may or may not have been requested yet, and the
 * count must not depend on that race.
 */
export async function measureFirstLoadJs(page: Page): Promise<FirstLoadJs> {
  const { before, after } = await page.evaluate(() => {
    const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    // Not loaded yet (never the case after goto's "load"): count everything rather than less.
    const loadStart = navigation?.loadEventStart || Number.POSITIVE_INFINITY;
    const scripts = performance
      .getEntriesByType("resource")
      .filter((entry) => new URL(entry.name).pathname.endsWith(".js"));
    // Inline, no named helper: tsx would wrap one in a __name() call the page does not have.
    return {
      before: [...new Set(scripts.filter((entry) => entry.startTime < loadStart).map((entry) => entry.name))],
      after: [...new Set(scripts.filter((entry) => entry.startTime >= loadStart).map((entry) => entry.name))],
    };
  });
  const scripts = await sizes(before);
  return {
    scripts,
    totalBytes: scripts.reduce((sum, s) => sum + s.bytes, 0),
    totalGzipBytes: scripts.reduce((sum, s) => sum + s.gzipBytes, 0),
    afterLoad: await sizes(after.filter((url) => !before.includes(url))),
  };
}

export interface PaintTimings {
  lcpMs: number;
  lcpElement: string;
  fcpMs: number;
  /** What the first contentful paint showed: the event's title must already be there. */
  titleInFirstHtml: boolean;
}

/** Largest Contentful Paint of a fresh load, read from the browser's own PerformanceObserver. */
export async function measurePaint(page: Page, path: string, title: string): Promise<PaintTimings> {
  await page.addInitScript(() => {
    const lcp = { time: 0, element: "" };
    (window as unknown as { __lcp: typeof lcp }).__lcp = lcp;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { element?: Element | null })[]) {
        lcp.time = entry.startTime;
        const el = entry.element;
        lcp.element = el
          ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}: ${(el.textContent ?? "").slice(0, 40)}`
          : "";
      }
    }).observe({ type: "largest-contentful-paint", buffered: true });
  });
  const response = await page.goto(path, { waitUntil: "load" });
  const html = (await response?.text()) ?? "";
  // LCP is final once the page has been interacted with or hidden; a short settle is enough here.
  await page.waitForTimeout(300);
  return page.evaluate(
    ({ titleInFirstHtml }) => {
      const lcp = (window as unknown as { __lcp: { time: number; element: string } }).__lcp;
      const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0;
      return { lcpMs: Math.round(lcp.time), lcpElement: lcp.element, fcpMs: Math.round(fcp), titleInFirstHtml };
    },
    { titleInFirstHtml: html.includes(`>${title}</h1>`) },
  );
}
