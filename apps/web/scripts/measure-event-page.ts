// Measures the event page as docs/goals.md states its goals: first-load JavaScript (gzip)
// and Largest Contentful Paint in Chromium on localhost, median of several fresh loads.
// Starts apps/server and the production build itself unless WEB_URL names a running one.
//   npm run build -w @ticketing/web && npm run measure -w @ticketing/web
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../e2e/support/chromium";
import { MEASURED_EVENT, measureFirstLoadJs, measurePaint } from "../e2e/support/event-page";
import { type Stack, startStack, webRoot } from "../e2e/support/servers";

const LOADS = Number(process.env.LOADS ?? 15);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main() {
  const found = findChromium();
  if (found.path === null) throw new Error(found.reason);
  const stack: Stack | null = process.env.WEB_URL ? null : await startStack();
  const webUrl = process.env.WEB_URL ?? stack?.webUrl ?? "";
  const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
  try {
    const events = (await (
      await fetch(
        `${webUrl}/api/trpc/listEvents?input=${encodeURIComponent(JSON.stringify({ json: { query: MEASURED_EVENT } }))}`,
      )
    ).json()) as { result: { data: { json: { items: { id: string }[] } } } };
    const eventId = events.result.data.json.items[0]?.id;
    if (!eventId) throw new Error(`${MEASURED_EVENT} is not in the list`);
    const path = `${webUrl}/events/${eventId}`;

    // One warm-up load, so the server's first-request compilation is not measured.
    const warm = await browser.newPage();
    await warm.goto(path, { waitUntil: "load" });
    const js = await measureFirstLoadJs(warm);
    await warm.close();

    const runs = [];
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      runs.push(await measurePaint(page, path, MEASURED_EVENT));
      await context.close();
      // Let the previous load's link prefetches finish: each load is measured on its own.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const result = {
      loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
      page: `/events/${eventId} (${MEASURED_EVENT})`,
      firstLoadJs: {
        gzipKB: Number((js.totalGzipBytes / 1000).toFixed(1)),
        rawKB: Number((js.totalBytes / 1000).toFixed(1)),
        scripts: js.scripts.length,
        // Requested after the load event (the event page's tRPC client, on idle): not first load.
        afterLoadGzipKB: Number((js.afterLoad.reduce((sum, s) => sum + s.gzipBytes, 0) / 1000).toFixed(1)),
      },
      lcp: {
        medianMs: median(runs.map((r) => r.lcpMs)),
        minMs: Math.min(...runs.map((r) => r.lcpMs)),
        maxMs: Math.max(...runs.map((r) => r.lcpMs)),
        element: runs.at(-1)?.lcpElement,
      },
      fcpMedianMs: median(runs.map((r) => r.fcpMs)),
      contentInFirstHtml: runs.every((r) => r.titleInFirstHtml),
      loads: LOADS,
    };
    const out = join(webRoot, "test-results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "event-page-measurements.json"), `${JSON.stringify({ ...result, runs }, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await browser.close();
    await stack?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
